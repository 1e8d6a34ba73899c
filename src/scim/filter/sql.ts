import { invalidFilter } from '../errors.ts';
import { resolveAttribute, type AttrPath, type AttributeDef, type ResourceTypeDef } from '../schemas/index.ts';
import type { CompareOp, FilterNode, FilterValue } from './ast.ts';
import { isUuid } from '../../lib/uuid.ts';

// Compiles a filter tree to a SQL condition through a whitelist: each filterable
// attribute maps to a column expression written here, never to text from the request.
// Values always travel as bindings.

export interface SqlFragment {
  sql: string;
  bindings: unknown[];
}

/**
 * text: compared case-sensitively or with lower() per the attribute's caseExact;
 * key: a stored NFKC + lower-case key column (userName, email, team name), compared
 * against lower(normalize(?, NFKC)) so the unique index on it is used.
 */
export type ColumnType = 'text' | 'key' | 'boolean' | 'timestamp' | 'uuid' | 'integer';

export interface ScalarColumn {
  kind: 'scalar';
  expr: string;
  type: ColumnType;
  /** Overrides the schema's caseExact for text columns. */
  caseExact?: boolean;
}

/** A multi-valued attribute kept in a child table: conditions run inside EXISTS. */
export interface MultiColumn {
  kind: 'multi';
  exists: (condition: string) => string;
  subs: Record<string, ScalarColumn>;
  /** Sort key when sorting by the attribute (its primary value). */
  sortExpr?: string;
}

/** An attribute whose comparison is written by hand (e.g. active ↔ status). */
export interface CustomColumn {
  kind: 'custom';
  compile: (op: CompareOp | 'pr', value: FilterValue) => SqlFragment;
  sortExpr?: string;
}

export type Mapping = ScalarColumn | MultiColumn | CustomColumn;

/** Keys: "<ext urn>:"? + attribute name + ("." + sub-attribute)?, in canonical spelling. */
export type ColumnMap = Record<string, Mapping>;

export const mappingKey = (ext: string | null, attr: string, sub?: string) => `${ext ? `${ext}:` : ''}${attr}${sub ? `.${sub}` : ''}`;

export { isUuid };

const frag = (sql: string, ...bindings: unknown[]): SqlFragment => ({ sql, bindings });
const TRUE = frag('true');
const FALSE = frag('false');

const SQL_OP: Record<'eq' | 'gt' | 'lt' | 'ge' | 'le', string> = { eq: '=', gt: '>', lt: '<', ge: '>=', le: '<=' };

export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function likePattern(op: 'co' | 'sw' | 'ew', v: string): string {
  const e = escapeLike(v);
  return op === 'co' ? `%${e}%` : op === 'sw' ? `${e}%` : `%${e}`;
}

function describe(path: AttrPath): string {
  return `${path.urn ? `${path.urn}:` : ''}${path.attr}${path.sub ? `.${path.sub}` : ''}`;
}

// PostgreSQL reads an instant back from its ISO form only for years 1 to 9999: JavaScript
// writes year 0 as "0000-…", BC years as "-00000y-…" and later ones as "+0yyyyy-…", each
// an error there (a 500). Such an instant is before (after) every stored one: -infinity
// (infinity) compares the same way.
const FIRST_ISO = Date.parse('0001-01-01T00:00:00.000Z');
const LAST_ISO = Date.parse('9999-12-31T23:59:59.999Z');
const pgInstant = (ms: number): string => (ms < FIRST_ISO ? '-infinity' : ms > LAST_ISO ? 'infinity' : new Date(ms).toISOString());

/** One comparison on a scalar column. */
export function compileScalar(col: ScalarColumn, def: AttributeDef | undefined, op: CompareOp | 'pr', value: FilterValue, name: string): SqlFragment {
  const c = col.expr;
  if (op === 'pr') return col.type === 'text' || col.type === 'key' ? frag(`(${c} is not null and ${c} <> '')`) : frag(`${c} is not null`);
  if (value === null) {
    if (op === 'eq') return frag(`${c} is null`);
    if (op === 'ne') return frag(`${c} is not null`);
    throw invalidFilter(`${name}: null can only be compared with eq or ne`);
  }
  switch (col.type) {
    case 'boolean': {
      if (typeof value !== 'boolean') throw invalidFilter(`${name} is boolean; compare it with true or false`);
      if (op === 'eq') return frag(`${c} = ?`, value);
      if (op === 'ne') return frag(`${c} is distinct from ?`, value);
      throw invalidFilter(`${name} is boolean; only eq, ne and pr apply`);
    }
    case 'integer': {
      if (typeof value !== 'number') throw invalidFilter(`${name} is a number`);
      if (op === 'ne') return frag(`${c} is distinct from ?`, value);
      if (op === 'co' || op === 'sw' || op === 'ew') throw invalidFilter(`${name} is a number; ${op} does not apply`);
      return frag(`${c} ${SQL_OP[op]} ?`, value);
    }
    case 'timestamp': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw invalidFilter(`${name} is a dateTime; give an xsd:dateTime string`);
      const at = pgInstant(Date.parse(value));
      if (op === 'ne') return frag(`${c} is distinct from ?::timestamptz`, at);
      if (op === 'co' || op === 'sw' || op === 'ew') throw invalidFilter(`${name} is a dateTime; ${op} does not apply`);
      return frag(`${c} ${SQL_OP[op]} ?::timestamptz`, at);
    }
    case 'uuid': {
      const v = String(value);
      if (op === 'eq') return isUuid(v) ? frag(`${c} = ?`, v) : FALSE;
      if (op === 'ne') return isUuid(v) ? frag(`${c} <> ?`, v) : TRUE;
      return compileScalar({ kind: 'scalar', expr: `${c}::text`, type: 'text', caseExact: true }, def, op, v, name);
    }
    case 'key': {
      const v = String(value);
      const key = 'lower(normalize(?, NFKC))';
      if (op === 'eq') return frag(`${c} = ${key}`, v);
      if (op === 'ne') return frag(`${c} is distinct from ${key}`, v);
      if (op === 'co' || op === 'sw' || op === 'ew') return frag(`${c} like ? escape '\\'`, likePattern(op, v.normalize('NFKC').toLowerCase()));
      return frag(`${c} ${SQL_OP[op]} ${key}`, v);
    }
    case 'text': {
      const v = String(value);
      const exact = col.caseExact ?? def?.caseExact ?? false;
      const lhs = exact ? c : `lower(${c})`;
      if (op === 'co' || op === 'sw' || op === 'ew') return frag(`${lhs} like ? escape '\\'`, likePattern(op, exact ? v : v.toLowerCase()));
      const rhs = exact ? '?' : 'lower(?)';
      if (op === 'ne') return frag(`${lhs} is distinct from ${rhs}`, v);
      return frag(`${lhs} ${SQL_OP[op]} ${rhs}`, v);
    }
  }
}

interface Scope {
  /** Resolves a path to a mapping and (when known) its schema definition. */
  lookup(path: AttrPath): { mapping: Mapping; def?: AttributeDef; sub?: string } | undefined;
  /** The multi-valued scope for a value path "attr[…]". */
  valuePath(path: AttrPath): Scope;
}

function subScope(multiCol: MultiColumn, def: AttributeDef, name: string): Scope {
  return {
    lookup(path) {
      if (path.urn !== undefined || path.sub !== undefined) return undefined;
      const sub = def.subAttributes?.find((s) => s.name.toLowerCase() === path.attr.toLowerCase());
      const col = sub && multiColSub(multiCol, sub.name);
      return col && sub ? { mapping: col, def: sub } : undefined;
    },
    valuePath() {
      throw invalidFilter(`${name}: value paths cannot nest`);
    },
  };
}

const multiColSub = (m: MultiColumn, sub: string): ScalarColumn | undefined => m.subs[sub];

function topScope(rt: ResourceTypeDef, map: ColumnMap): Scope {
  return {
    lookup(path) {
      const r = resolveAttribute(rt, path);
      if (!r) return undefined;
      const mapping = map[mappingKey(r.ext, r.attr.name, r.sub?.name)] ?? map[mappingKey(r.ext, r.attr.name)];
      if (!mapping) return undefined;
      if (mapping.kind === 'multi') return { mapping, def: r.sub ?? r.attr.subAttributes?.find((s) => s.name === 'value'), sub: r.sub?.name ?? 'value' };
      return { mapping, def: r.sub ?? r.attr };
    },
    valuePath(path) {
      const r = resolveAttribute(rt, { ...path, sub: undefined } as AttrPath);
      const mapping = r && map[mappingKey(r.ext, r.attr.name)];
      if (!r || !mapping || mapping.kind !== 'multi' || path.sub !== undefined) {
        throw invalidFilter(`${describe(path)} is not a multi-valued attribute that can be filtered`);
      }
      return subScope(mapping, r.attr, describe(path));
    },
  };
}

function compileNode(node: FilterNode, scope: Scope): SqlFragment {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const l = compileNode(node.left, scope);
      const r = compileNode(node.right, scope);
      return { sql: `(${l.sql} ${node.kind} ${r.sql})`, bindings: [...l.bindings, ...r.bindings] };
    }
    case 'not': {
      const e = compileNode(node.expr, scope);
      return { sql: `(not coalesce(${e.sql}, false))`, bindings: e.bindings };
    }
    case 'valuePath': {
      const inner = scope.valuePath(node.path);
      const f = compileNode(node.filter, inner);
      const outer = scope.lookup({ ...node.path, sub: undefined } as AttrPath);
      if (!outer || outer.mapping.kind !== 'multi') throw invalidFilter(`${describe(node.path)} cannot be filtered`);
      return { sql: outer.mapping.exists(f.sql), bindings: f.bindings };
    }
    case 'compare':
    case 'present': {
      const found = scope.lookup(node.path);
      if (!found) {
        throw invalidFilter(`unknown or unfilterable attribute "${describe(node.path)}"`);
      }
      const op = node.kind === 'present' ? 'pr' : node.op;
      const value = node.kind === 'present' ? null : node.value;
      const name = describe(node.path);
      const { mapping } = found;
      if (mapping.kind === 'custom') return mapping.compile(op, value);
      if (mapping.kind === 'scalar') return compileScalar(mapping, found.def, op, value, name);
      const sub = mapping.subs[found.sub ?? 'value'];
      if (!sub) throw invalidFilter(`unknown or unfilterable attribute "${name}"`);
      const f = compileScalar(sub, found.def, op, value, name);
      return { sql: mapping.exists(f.sql), bindings: f.bindings };
    }
  }
}

/** Compiles a filter for a resource type's column whitelist. */
export function compileFilter(node: FilterNode, rt: ResourceTypeDef, map: ColumnMap): SqlFragment {
  return compileNode(node, topScope(rt, map));
}

/** The ORDER BY expression for sortBy, or undefined when the attribute cannot be sorted on. */
export function sortExpression(rt: ResourceTypeDef, map: ColumnMap, path: AttrPath): string | undefined {
  const r = resolveAttribute(rt, path);
  if (!r) return undefined;
  const m = map[mappingKey(r.ext, r.attr.name, r.sub?.name)] ?? (r.sub ? undefined : map[mappingKey(r.ext, r.attr.name)]);
  if (!m) return undefined;
  if (m.kind === 'scalar') return m.type === 'text' && !(m.caseExact ?? (r.sub ?? r.attr).caseExact) ? `lower(${m.expr})` : m.expr;
  return m.sortExpr;
}
