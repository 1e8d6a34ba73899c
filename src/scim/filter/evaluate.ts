import { invalidFilter } from '../errors.ts';
import type { AttributeDef } from '../schemas/index.ts';
import { canonicalSubName } from '../seed-dialect.ts';
import type { FilterNode, FilterValue } from './ast.ts';

// Evaluates a PATCH value filter ("emails[type eq \"work\"]") against one element of a
// multi-valued attribute of a single, already loaded resource.

function get(el: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(el).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : el[key];
}

function compare(actual: unknown, op: string, expected: FilterValue, exact: boolean): boolean {
  if (op === 'eq' && expected === null) return actual === undefined || actual === null;
  if (op === 'ne' && expected === null) return actual !== undefined && actual !== null;
  if (actual === undefined || actual === null) return op === 'ne';
  if (typeof actual === 'string' && typeof expected === 'string') {
    const a = exact ? actual : actual.toLowerCase();
    const e = exact ? expected : expected.toLowerCase();
    switch (op) {
      case 'eq': return a === e;
      case 'ne': return a !== e;
      case 'co': return a.includes(e);
      case 'sw': return a.startsWith(e);
      case 'ew': return a.endsWith(e);
      case 'gt': return a > e;
      case 'lt': return a < e;
      case 'ge': return a >= e;
      case 'le': return a <= e;
    }
  }
  if (typeof actual === 'boolean' || typeof actual === 'number') {
    if (op === 'eq') return actual === expected;
    if (op === 'ne') return actual !== expected;
    if (typeof actual === 'number' && typeof expected === 'number') {
      if (op === 'gt') return actual > expected;
      if (op === 'lt') return actual < expected;
      if (op === 'ge') return actual >= expected;
      if (op === 'le') return actual <= expected;
    }
  }
  return op === 'ne';
}

/** Builds a predicate over elements whose sub-attributes are described by `subs`. */
export function elementPredicate(node: FilterNode, subs: readonly AttributeDef[], name: string): (el: Record<string, unknown>) => boolean {
  const def = (attr: string) => {
    const want = canonicalSubName(name, attr).toLowerCase();
    const d = subs.find((s) => s.name.toLowerCase() === want);
    if (!d) throw invalidFilter(`${name} has no sub-attribute "${attr}"`);
    return d;
  };
  switch (node.kind) {
    case 'and': {
      const l = elementPredicate(node.left, subs, name);
      const r = elementPredicate(node.right, subs, name);
      return (el) => l(el) && r(el);
    }
    case 'or': {
      const l = elementPredicate(node.left, subs, name);
      const r = elementPredicate(node.right, subs, name);
      return (el) => l(el) || r(el);
    }
    case 'not': {
      const e = elementPredicate(node.expr, subs, name);
      return (el) => !e(el);
    }
    case 'present': {
      if (node.path.sub !== undefined || node.path.urn !== undefined) throw invalidFilter(`${name}: only sub-attributes may be named inside [ ]`);
      const d = def(node.path.attr);
      return (el) => {
        const v = get(el, d.name);
        return v !== undefined && v !== null && v !== '';
      };
    }
    case 'compare': {
      if (node.path.sub !== undefined || node.path.urn !== undefined) throw invalidFilter(`${name}: only sub-attributes may be named inside [ ]`);
      const d = def(node.path.attr);
      return (el) => compare(get(el, d.name), node.op, node.value, d.caseExact);
    }
    case 'valuePath':
      throw invalidFilter(`${name}: value paths cannot nest`);
  }
}

/**
 * The values a filter selects when it is only `value eq "…"` joined by `or` — how IdPs
 * name group members — so member removal never loads the whole member list.
 */
export function valueEqualities(node: FilterNode): string[] | undefined {
  if (node.kind === 'or') {
    const l = valueEqualities(node.left);
    const r = valueEqualities(node.right);
    return l && r ? [...l, ...r] : undefined;
  }
  if (node.kind === 'compare' && node.op === 'eq' && typeof node.value === 'string' && !node.path.urn && !node.path.sub && node.path.attr.toLowerCase() === 'value') {
    return [node.value];
  }
  return undefined;
}
