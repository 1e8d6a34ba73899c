import { createRequire } from 'node:module';
import { invalidFilter } from '../errors.ts';
import { isStorableFilter } from '../../lib/storable-text.ts';
import type { AttrPath } from '../schemas/index.ts';
import type { CompareOp, FilterNode, FilterValue } from './ast.ts';

// Filters are parsed with scim-query-filter-parser's grammar (the RFC 7644 ABNF, compiled
// for apg-lib) into our own tree; the package's compiled predicates evaluate in memory,
// and list queries must run in the database, so the tree is compiled to SQL instead.

interface ApgParser {
  ast: { callbacks: Record<string, ApgCallback>; translate(data: unknown): void } | null;
  parse(grammar: unknown, startRule: string, input: string): { success: boolean };
}
type ApgCallback = (state: number, chars: number[], phraseIndex: number, phraseLength: number, data: unknown) => number;
interface ApgLib {
  parser: new () => ApgParser;
  ast: new () => ApgParser['ast'];
  ids: { SEM_PRE: number; SEM_POST: number; SEM_OK: number };
}

const require = createRequire(import.meta.url);
const apg = require('apg-lib') as ApgLib;
const Grammar = require('scim-query-filter-parser/grammar.js') as new () => unknown;

const grammar = new Grammar();
const parser = new apg.parser();
parser.ast = new apg.ast();

interface RawNode {
  rule: string;
  start: number;
  length: number;
  children: RawNode[];
}

const RULES = [
  'filter',
  'precedenceGroup',
  'attributeGroup',
  'prefixLogicalExpression',
  'infixLogicalExpression',
  'infixLogicalExpressionOperator',
  'postfixAssertion',
  'infixAssertion',
  'infixAssertionOperator',
  'infixAssertionValue',
  'attributePath',
  'attributePathSegment',
] as const;

for (const rule of RULES) {
  parser.ast!.callbacks[rule] = (state, _chars, phraseIndex, phraseLength, data) => {
    const stack = data as RawNode[];
    if (state === apg.ids.SEM_PRE) {
      stack.push({ rule, start: phraseIndex, length: phraseLength, children: [] });
    } else {
      const node = stack.pop()!;
      node.length = phraseLength;
      stack[stack.length - 1]!.children.push(node);
    }
    return apg.ids.SEM_OK;
  };
}

export interface ParseLimits {
  maxLength: number;
  maxDepth: number;
}

const URN_PLACEHOLDER = 'ObUrnRef';

/**
 * Normalises what the grammar is stricter about than the RFC and real clients, outside
 * string literals only: runs of whitespace, "not (" (the RFC's own examples put a space
 * there), spaces inside brackets, and URN-qualified paths (the grammar's greedy URI rule
 * cannot find where the URN ends, so known-shape URNs are swapped for placeholders).
 */
function prepare(input: string, limits: ParseLimits): { text: string; urns: string[]; literals: string[] } {
  const urns: string[] = [];
  const literals: string[] = [];
  const parts: string[] = [];
  let depth = 0;
  let maxDepth = 0;
  let i = 0;
  while (i < input.length) {
    if (input[i] === '"') {
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw invalidFilter('unterminated string in filter');
      // String literals are atoms of the grammar: the filter's shape is parsed with each
      // one emptied, and the literals are put back into the tree afterwards.
      literals.push(input.slice(i, j + 1));
      parts.push('""');
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < input.length && input[j] !== '"') {
      const c = input[j];
      if (c === '(' || c === '[') maxDepth = Math.max(maxDepth, ++depth);
      if (c === ')' || c === ']') depth--;
      j++;
    }
    let code = input.slice(i, j);
    code = code.replace(/urn:[A-Za-z0-9._:\-]+/gi, (m) => {
      const k = m.lastIndexOf(':');
      urns.push(m.slice(0, k));
      return `${URN_PLACEHOLDER}${urns.length - 1}.${m.slice(k + 1)}`;
    });
    code = code
      .replace(/\s+/g, ' ')
      .replace(/\bnot \(/gi, 'not(')
      .replace(/([([]) /g, '$1')
      .replace(/ ([)\]])/g, '$1');
    parts.push(code);
    i = j;
  }
  if (maxDepth > limits.maxDepth) throw invalidFilter(`filter nests deeper than ${limits.maxDepth} levels`);
  return { text: foldValuePathSubAttr(parts.join('').trim()), urns, literals };
}

// `attr[valFilter].subAttr op value` (and `… pr`): Entra ID matches users on email with
// `emails[type eq "work"].value eq "user@contoso.com"`. RFC 7644 §3.4.2.2's filter ABNF
// has no such form (only PATCH paths take `valuePath "." subAttr`, §3.5.2) and the
// grammar refuses it; what it asks is whether one element matches both, which is
// `attr[(valFilter) and subAttr op value]`. Rewritten so, on the literal-free text, with
// the literals' order unchanged; an unquoted value is left as it is and refused by the grammar.
const SUB_COMPARE = /\]\.([A-Za-z][\w-]*) (pr\b|(?:eq|ne|co|sw|ew|gt|lt|ge|le) (?:""|true\b|false\b|null\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))(?=$|[ )\]])/i;

function foldValuePathSubAttr(text: string): string {
  let out = text;
  for (let m = SUB_COMPARE.exec(out); m; m = SUB_COMPARE.exec(out)) {
    const close = m.index;
    let depth = 0;
    let open = -1;
    for (let i = close - 1; i >= 0; i--) {
      if (out[i] === ']') depth++;
      else if (out[i] === '[') {
        if (depth === 0) { open = i; break; }
        depth--;
      }
    }
    if (open < 0) throw invalidFilter('unbalanced ] in filter');
    out = `${out.slice(0, open + 1)}(${out.slice(open + 1, close)}) and ${m[1]} ${m[2]}]${out.slice(close + m[0].length)}`;
  }
  return out;
}

const text = (s: string, n: RawNode) => s.slice(n.start, n.start + n.length);
const only = (n: RawNode, rule: string) => n.children.filter((c) => c.rule === rule);

function toPath(src: string, n: RawNode, urns: string[]): AttrPath {
  const segments = only(n, 'attributePathSegment').map((c) => text(src, c));
  let urn: string | undefined;
  const first = segments[0] ?? '';
  if (first.startsWith(URN_PLACEHOLDER)) {
    urn = urns[Number(first.slice(URN_PLACEHOLDER.length))];
    segments.shift();
  }
  if (segments.length === 0 || segments.length > 2) throw invalidFilter(`"${text(src, n)}" is not an attribute path`);
  const path: AttrPath = { attr: segments[0]! };
  if (urn !== undefined) path.urn = urn;
  if (segments[1] !== undefined) path.sub = segments[1];
  return path;
}

function toNode(src: string, n: RawNode, urns: string[]): FilterNode {
  switch (n.rule) {
    case 'filter':
    case 'precedenceGroup': {
      const [child] = n.children;
      if (!child || n.children.length !== 1) throw invalidFilter('malformed filter');
      return toNode(src, child, urns);
    }
    case 'prefixLogicalExpression':
      return { kind: 'not', expr: toNode(src, n.children[0]!, urns) };
    case 'attributeGroup': {
      const [path, filter] = n.children;
      return { kind: 'valuePath', path: toPath(src, path!, urns), filter: toNode(src, filter!, urns) };
    }
    case 'postfixAssertion':
      return { kind: 'present', path: toPath(src, n.children[0]!, urns) };
    case 'infixAssertion': {
      const [path, op, value] = n.children;
      return {
        kind: 'compare',
        path: toPath(src, path!, urns),
        op: text(src, op!).toLowerCase() as CompareOp,
        value: JSON.parse(text(src, value!)) as FilterValue,
      };
    }
    case 'infixLogicalExpression': {
      // A flat "e1 op e2 op e3 …": "and" binds tighter than "or" (RFC 7644 §3.4.2.2).
      const operands: FilterNode[] = [];
      const ops: string[] = [];
      for (const c of n.children) {
        if (c.rule === 'infixLogicalExpressionOperator') ops.push(text(src, c).toLowerCase());
        else operands.push(toNode(src, c, urns));
      }
      const ors: FilterNode[] = [];
      let current = operands[0]!;
      ops.forEach((op, i) => {
        const next = operands[i + 1]!;
        if (op === 'and') current = { kind: 'and', left: current, right: next };
        else {
          ors.push(current);
          current = next;
        }
      });
      ors.push(current);
      return ors.reduce((left, right) => ({ kind: 'or', left, right }));
    }
    default:
      // expression / infixLogicalExpressionPredicate are not collected; their children are.
      throw invalidFilter(`unexpected ${n.rule} in filter`);
  }
}

function parseShape(src: string, urns: string[], input: string): FilterNode {
  let ok: boolean;
  const stack: RawNode[] = [{ rule: 'root', start: 0, length: src.length, children: [] }];
  try {
    ok = parser.parse(grammar, 'filter', src).success;
    if (ok) parser.ast!.translate(stack);
  } catch (err: unknown) {
    throw invalidFilter(`filter cannot be parsed: ${(err as Error).message}`);
  }
  if (!ok) throw invalidFilter(`filter cannot be parsed: ${input}`);
  return toNode(src, stack[0]!.children[0]!, urns);
}

/** Copies a shape's tree with its string literals, in text order, put back. */
function fill(node: FilterNode, next: () => string): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const left = fill(node.left, next);
      return { kind: node.kind, left, right: fill(node.right, next) };
    }
    case 'not':
      return { kind: 'not', expr: fill(node.expr, next) };
    case 'valuePath':
      return { kind: 'valuePath', path: node.path, filter: fill(node.filter, next) };
    case 'present':
      return node;
    case 'compare':
      return typeof node.value === 'string' ? { ...node, value: next() } : node;
  }
}

// Parsed shapes: IdPs send the same few filters with different values; apg parses each
// shape once (parsing costs ~0.2 ms, a cache hit microseconds).
const shapes = new Map<string, FilterNode>();
const MAX_SHAPES = 1000;

/** Parses a filter into a tree, or throws 400 invalidFilter. */
export function parseFilter(input: string, limits: ParseLimits): FilterNode {
  if (typeof input !== 'string' || !input.trim()) throw invalidFilter('filter is empty');
  if (input.length > limits.maxLength) throw invalidFilter(`filter is longer than ${limits.maxLength} characters`);
  if (!isStorableFilter(input)) throw invalidFilter('filter holds a string PostgreSQL cannot store (U+0000 or a lone UTF-16 surrogate)');
  const { text: src, urns, literals } = prepare(input, limits);
  const key = `${src}\u0000${urns.join('\u0001')}`;
  let shape = shapes.get(key);
  if (!shape) {
    shape = parseShape(src, urns, input);
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(key, shape);
  }
  let k = 0;
  return fill(shape, () => {
    const literal = literals[k++]!;
    try {
      return JSON.parse(literal) as string;
    } catch {
      throw invalidFilter(`${literal} is not a valid string`);
    }
  });
}
