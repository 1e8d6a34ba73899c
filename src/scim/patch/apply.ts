import { mutability, noTarget } from '../errors.ts';
import type { FilterNode } from '../filter/ast.ts';
import { elementPredicate } from '../filter/evaluate.ts';
import { findSubAttr } from '../seed-dialect.ts';
import { attributesOf, findAttr, type AttributeDef, type ResourceTypeDef } from '../schemas/index.ts';
import type { PatchOp } from './normalise.ts';
import type { PatchPath } from './path.ts';

// Applies canonical PATCH operations (RFC 7644 §3.5.2) to a copy of a resource's SCIM
// representation. The caller persists the result in one transaction, so a bad operation
// anywhere leaves the resource untouched.

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function container(resource: Obj, ext: string | null, create: boolean): Obj | undefined {
  if (ext === null) return resource;
  if (!isObject(resource[ext])) {
    if (!create) return undefined;
    resource[ext] = {};
  }
  return resource[ext] as Obj;
}

/**
 * Two elements are the same when their `value` is; elements without one (a custom role's
 * permissions: `{name, isInherited}`) are the same when their `name` is, so a seed-style
 * `remove` of `[{"name": "project:update"}]` finds the element GET showed with more keys.
 * Team and registry roles are keyed by their team and registry: one role per place.
 */
function sameElement(def: AttributeDef, a: unknown, b: unknown): boolean {
  for (const key of ['value', 'name', 'team', 'registry']) {
    if (isObject(a) && isObject(b) && key in a && key in b) {
      const exact = findAttr(def.subAttributes, key)?.caseExact ?? false;
      const x = a[key];
      const y = b[key];
      return typeof x === 'string' && typeof y === 'string' && !exact ? x.toLowerCase() === y.toLowerCase() : x === y;
    }
    if (isObject(a) && isObject(b) && (key in a || key in b) && findAttr(def.subAttributes, key)) return false;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** At most one element may be primary: the newest one marked primary wins. */
function onePrimary(list: unknown[], newest: unknown[]): unknown[] {
  const winner = [...newest].reverse().find((e) => isObject(e) && e.primary === true);
  if (!winner) return list;
  return list.map((e) => (isObject(e) && e !== winner && e.primary === true ? { ...e, primary: false } : e));
}

function addValue(target: Obj, def: AttributeDef, value: unknown): void {
  if (def.multiValued) {
    const current = Array.isArray(target[def.name]) ? [...(target[def.name] as unknown[])] : [];
    const incoming = value as unknown[];
    for (const el of incoming) {
      const i = current.findIndex((c) => sameElement(def, c, el));
      if (i >= 0) current[i] = isObject(current[i]) && isObject(el) ? { ...(current[i] as Obj), ...el } : el;
      else current.push(el);
    }
    target[def.name] = onePrimary(current, incoming);
  } else if (def.type === 'complex' && isObject(value) && isObject(target[def.name])) {
    target[def.name] = { ...(target[def.name] as Obj), ...value };
  } else {
    target[def.name] = value;
  }
}

function replaceValue(target: Obj, def: AttributeDef, value: unknown): void {
  if (def.multiValued) target[def.name] = onePrimary([...(value as unknown[])], value as unknown[]);
  else addValue(target, def, value); // complex: given sub-attributes replace, others stay
}

function checkWritable(def: AttributeDef, target: Obj): void {
  if (def.mutability === 'readOnly') throw mutability(`${def.name} is read-only`);
  if (def.mutability === 'immutable' && target[def.name] !== undefined && target[def.name] !== null) {
    throw mutability(`${def.name} is immutable once set`);
  }
}

/** The attributes an "eq"-only filter pins down (type eq "work" → {type: "work"}). */
function equalities(node: FilterNode, def: AttributeDef): Obj | undefined {
  if (node.kind === 'and') {
    const l = equalities(node.left, def);
    const r = equalities(node.right, def);
    return l && r ? { ...l, ...r } : undefined;
  }
  if (node.kind === 'compare' && node.op === 'eq' && !node.path.sub && !node.path.urn) {
    const sub = findSubAttr(def, node.path.attr);
    return sub ? { [sub.name]: node.value } : undefined;
  }
  return undefined;
}

function applyFiltered(target: Obj, path: PatchPath, op: 'add' | 'replace' | 'remove', value: unknown): void {
  const def = path.attr!;
  const pred = elementPredicate(path.filter!, def.subAttributes ?? [], def.name);
  const list = Array.isArray(target[def.name]) ? [...(target[def.name] as unknown[])] : [];
  const hits = list.map((el, i) => (isObject(el) && pred(el) ? i : -1)).filter((i) => i >= 0);
  if (op === 'remove') {
    if (path.sub) for (const i of hits) { const el = { ...(list[i] as Obj) }; delete el[path.sub.name]; list[i] = el; }
    target[def.name] = path.sub ? list : list.filter((_, i) => !hits.includes(i));
    return;
  }
  if (!hits.length) {
    // Entra ID sends {"op":"Add"/"Replace","path":"emails[type eq \"work\"].value"} for an
    // address that does not exist yet: create the element the filter describes.
    const pinned = equalities(path.filter!, def);
    if (!pinned) throw noTarget(`no ${def.name} value matches "${path.text}"`);
    const el: Obj = path.sub ? { ...pinned, [path.sub.name]: value } : { ...pinned, ...(value as Obj) };
    target[def.name] = onePrimary([...list, el], [el]);
    return;
  }
  for (const i of hits) {
    const el = list[i] as Obj;
    if (path.sub) list[i] = { ...el, [path.sub.name]: value };
    else list[i] = op === 'replace' ? { ...(value as Obj) } : { ...el, ...(value as Obj) };
  }
  target[def.name] = onePrimary(list, hits.map((i) => list[i]));
}

function applyResourceValue(rt: ResourceTypeDef, resource: Obj, value: Obj, op: 'add' | 'replace'): void {
  for (const [k, v] of Object.entries(value)) {
    const isExt = rt.extensions.some((e) => e.schema.id === k);
    const ext = isExt ? k : null;
    const entries = isExt ? Object.entries(v as Obj) : [[k, v] as [string, unknown]];
    const target = container(resource, ext, true)!;
    for (const [name, val] of entries) {
      const def = findAttr(attributesOf(rt, ext), name)!;
      checkWritable(def, target);
      if (op === 'add') addValue(target, def, val);
      else replaceValue(target, def, val);
    }
  }
}

function applyOne(rt: ResourceTypeDef, resource: Obj, o: PatchOp): void {
  const path = o.path;
  if (!path || !path.attr) {
    if (o.op === 'remove') {
      // remove with a bare extension URN: drop the whole extension
      const kept = path ? attributesOf(rt, path.ext).find((a) => a.alwaysValued) : undefined;
      if (kept) throw mutability(`${path!.ext} cannot be removed: ${kept.name} always has a value; replace it instead`);
      if (path) delete resource[path.ext!];
      return;
    }
    applyResourceValue(rt, resource, o.value as Obj, o.op);
    return;
  }
  const def = path.attr;
  const target = container(resource, path.ext, o.op !== 'remove');
  if (!target) return;
  if (path.filter) {
    applyFiltered(target, path, o.op, o.value);
    return;
  }
  if (path.sub) {
    if (def.multiValued) {
      // "emails.type" without a filter: every element
      const list = Array.isArray(target[def.name]) ? (target[def.name] as Obj[]) : [];
      target[def.name] = list.map((el) => {
        const c = { ...el };
        if (o.op === 'remove') delete c[path.sub!.name];
        else c[path.sub!.name] = o.value;
        return c;
      });
      return;
    }
    const obj = isObject(target[def.name]) ? { ...(target[def.name] as Obj) } : {};
    if (o.op === 'remove') delete obj[path.sub.name];
    else obj[path.sub.name] = o.value;
    target[def.name] = obj;
    return;
  }
  if (o.op === 'remove') {
    if (def.required) throw mutability(`${def.name} is required; it cannot be removed`);
    if (def.alwaysValued) throw mutability(`${def.name} always has a value; it cannot be removed, replace it instead`);
    if (o.value !== undefined && def.multiValued) {
      const drop = o.value as unknown[];
      const list = Array.isArray(target[def.name]) ? (target[def.name] as unknown[]) : [];
      target[def.name] = list.filter((el) => !drop.some((d) => sameElement(def, el, d)));
    } else if (def.multiValued) {
      // "All values are removed" (RFC 7644 §3.5.2.2): an empty list, which persists as
      // such (teamRoles: out of every team), where an absent key would mean "unchanged".
      target[def.name] = [];
    } else delete target[def.name];
    return;
  }
  checkWritable(def, target);
  if (o.op === 'add') addValue(target, def, o.value);
  else replaceValue(target, def, o.value);
}

/** Returns the patched copy; the input is not modified. */
export function applyPatch(rt: ResourceTypeDef, resource: Obj, ops: PatchOp[]): Obj {
  const copy = structuredClone(resource);
  for (const o of ops) applyOne(rt, copy, o);
  return copy;
}
