import { findAttr, resolveAttribute, splitAttrPath, type AttributeDef, type ResourceTypeDef } from './schemas/index.ts';

// attributes / excludedAttributes (RFC 7644 §3.4.2.5), decided by each attribute's
// `returned` characteristic: always → always, never → never, request → only when asked,
// default → unless excluded (or unless another list was asked for).

export interface Projection {
  attributes?: Set<string>;
  excluded?: Set<string>;
}

const key = (ext: string | null, attr: string, sub?: string) => `${ext ?? ''}|${attr}${sub ? `.${sub}` : ''}`.toLowerCase();

function toKeys(rt: ResourceTypeDef, list: string[] | undefined): Set<string> | undefined {
  if (!list) return undefined;
  const out = new Set<string>();
  for (const raw of list) {
    const r = resolveAttribute(rt, splitAttrPath(rt, raw));
    if (!r) continue; // unknown names select nothing
    out.add(key(r.ext, r.attr.name));
    if (r.sub) out.add(key(r.ext, r.attr.name, r.sub.name));
  }
  return out;
}

export function parseAttributeList(v: unknown): string[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const items = Array.isArray(v) ? v.map(String) : String(v).split(',');
  const out = items.map((s) => s.trim()).filter(Boolean);
  return out.length ? out : undefined;
}

export function makeProjection(rt: ResourceTypeDef, attributes?: string[], excluded?: string[]): Projection {
  const p: Projection = {};
  const a = toKeys(rt, attributes);
  const e = toKeys(rt, excluded);
  if (a) p.attributes = a;
  else if (e) p.excluded = e;
  return p;
}

/** Whether a top-level attribute will appear (so the caller can skip loading it). */
export function wants(rt: ResourceTypeDef, p: Projection, ext: string | null, attrName: string): boolean {
  const def = findAttr(ext === null ? [...rt.schema.attributes] : rt.extensions.find((x) => x.schema.id === ext)?.schema.attributes, attrName);
  return def ? decide(def, p, ext, undefined) !== 'drop' : true;
}

type Decision = 'keep' | 'drop' | 'partial';

function decide(def: AttributeDef, p: Projection, ext: string | null, parent: AttributeDef | undefined): Decision {
  if (def.returned === 'never') return 'drop';
  if (def.returned === 'always') return 'keep';
  const k = parent ? key(ext, parent.name, def.name) : key(ext, def.name);
  if (p.attributes) {
    if (p.attributes.has(k)) return 'keep';
    if (parent && p.attributes.has(key(ext, parent.name))) return def.returned === 'request' ? 'drop' : 'keep';
    if (!parent && def.subAttributes) {
      const prefix = `${key(ext, def.name)}.`;
      for (const a of p.attributes) if (a.startsWith(prefix)) return 'partial';
    }
    return 'drop';
  }
  if (def.returned === 'request') return 'drop';
  if (p.excluded?.has(k)) return 'drop';
  if (!parent && def.subAttributes && p.excluded) {
    const prefix = `${key(ext, def.name)}.`;
    for (const x of p.excluded) if (x.startsWith(prefix)) return 'partial';
  }
  return 'keep';
}

function projectValue(def: AttributeDef, value: unknown, p: Projection, ext: string | null): unknown {
  const pick = (el: unknown) => {
    if (typeof el !== 'object' || el === null) return el;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(el)) {
      const sub = findAttr(def.subAttributes, k);
      if (!sub || decide(sub, p, ext, def) !== 'drop') out[k] = v;
    }
    return out;
  };
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

function projectAttrs(attrs: readonly AttributeDef[], obj: Record<string, unknown>, p: Projection, ext: string | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const def = findAttr(attrs, k);
    if (!def) continue;
    const d = decide(def, p, ext, undefined);
    if (d === 'keep') out[k] = v;
    else if (d === 'partial') out[k] = projectValue(def, v, p, ext);
  }
  return out;
}

/** Applies a projection to a full resource representation. */
export function project(rt: ResourceTypeDef, resource: Record<string, unknown>, p: Projection, common: readonly AttributeDef[]): Record<string, unknown> {
  const core = projectAttrs([...common, ...rt.schema.attributes], resource, p, null);
  const out: Record<string, unknown> = { schemas: resource.schemas, ...core };
  const schemas = [rt.schema.id];
  for (const e of rt.extensions) {
    const ext = resource[e.schema.id];
    if (typeof ext !== 'object' || ext === null) continue;
    const projected = projectAttrs(e.schema.attributes, ext as Record<string, unknown>, p, e.schema.id);
    if (Object.keys(projected).length) {
      out[e.schema.id] = projected;
      schemas.push(e.schema.id);
    }
  }
  out.schemas = schemas;
  return out;
}
