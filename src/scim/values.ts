import { URN } from './constants.ts';
import { invalidValue, mutability } from './errors.ts';
import { attributesOf, findAttr, knownUrn, type AttributeDef, type ResourceTypeDef } from './schemas/index.ts';
import { findSubAttr } from './seed-dialect.ts';

// Canonical values: keys spelled as the schema spells them, types checked, IdP
// spellings of scalars normalised. Used for POST/PUT bodies and PATCH values alike.

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function assertSafeKey(k: string, where: string): void {
  if (FORBIDDEN_KEYS.has(k)) throw invalidValue(`"${k}" is not an attribute (${where})`);
}

export type ReadOnlyPolicy = 'ignore' | 'refuse';

export interface CanonOptions {
  /** POST/PUT ignore readOnly attributes (RFC 7644 §3.3); PATCH refuses them. */
  readOnly: ReadOnlyPolicy;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function scalar(def: AttributeDef, v: unknown, name: string): unknown {
  if (v === null) return null;
  switch (def.type) {
    case 'boolean':
      // Entra ID (non-compliant mode) sends booleans as "True"/"False" strings.
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      if (typeof v !== 'boolean') throw invalidValue(`${name} must be a boolean`);
      return v;
    case 'integer':
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
      if (!Number.isInteger(v)) throw invalidValue(`${name} must be an integer`);
      return v;
    case 'decimal':
      if (typeof v !== 'number') throw invalidValue(`${name} must be a number`);
      return v;
    case 'dateTime':
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw invalidValue(`${name} must be an xsd:dateTime string`);
      return v;
    default:
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      if (typeof v !== 'string') throw invalidValue(`${name} must be a string`);
      return v;
  }
}

function complexValue(def: AttributeDef, v: unknown, name: string, o: CanonOptions): Record<string, unknown> | null {
  if (v === null) return null;
  if (!isObject(v)) throw invalidValue(`${name} must be an object`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    assertSafeKey(k, name);
    const sub = findSubAttr(def, k);
    if (!sub) throw invalidValue(`${name} has no sub-attribute "${k}"`);
    if (sub.mutability === 'readOnly') {
      if (o.readOnly === 'ignore' || def.mutability === 'readOnly') continue;
      // display names of references are informative; clients echo them back
      if (sub.name === 'display' || sub.name === 'displayName') continue;
      throw mutability(`${name}.${sub.name} is read-only`);
    }
    out[sub.name] = scalar(sub, x, `${name}.${sub.name}`);
  }
  return out;
}

/** Normalises one attribute's value. */
export function canonValue(def: AttributeDef, v: unknown, name: string, o: CanonOptions): unknown {
  if (def.name === 'manager' && def.type === 'complex' && !def.multiValued) {
    // Entra ID sends the manager as a bare id string; others send [{"$ref","value"}].
    if (typeof v === 'string') v = { value: v };
    if (Array.isArray(v)) v = v[0] ?? null;
  }
  if (def.multiValued) {
    if (v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    return list.map((el, i) => (def.type === 'complex' ? complexValue(def, el, `${name}[${i}]`, o) : scalar(def, el, `${name}[${i}]`)));
  }
  return def.type === 'complex' ? complexValue(def, v, name, o) : scalar(def, v, name);
}

/** Sub-attribute value (for "name.givenName" style paths). */
export function canonSubValue(sub: AttributeDef, v: unknown, name: string): unknown {
  return scalar(sub, v, name);
}

export interface CanonResourceOptions extends CanonOptions {
  /** Names the request part in error details ("User", "Operations[2]"). */
  context: string;
}

/**
 * Canonicalises a resource-shaped object: core and common attributes at the top,
 * extension attributes under their URN. Dotted ("name.givenName") and URN-qualified
 * ("urn:…:User:department") keys are expanded first — Entra ID sends both in path-less
 * PATCH values.
 */
export function canonResource(rt: ResourceTypeDef, input: unknown, o: CanonResourceOptions): Record<string, unknown> {
  if (!isObject(input)) throw invalidValue(`${o.context}: expected an object`);
  const out: Record<string, unknown> = {};
  const put = (extIn: string | null, keyIn: string, value: unknown) => {
    let ext = extIn;
    let key = keyIn;
    const alias = ext === null ? Object.entries(SEED_ALIASES).find(([a]) => a.toLowerCase() === key.toLowerCase()) : undefined;
    if (alias) {
      const i = alias[1].lastIndexOf(':');
      ext = alias[1].slice(0, i);
      key = alias[1].slice(i + 1);
    }
    const [attrName, subName, ...rest] = key.split('.');
    assertSafeKey(attrName!, o.context);
    if (rest.length) throw invalidValue(`${o.context}: "${key}" is not an attribute path`);
    let def = findAttr(attributesOf(rt, ext), attrName!);
    if (!def && ext === null) {
      // SPEC §4: the orgbridge extension's attributes are accepted unqualified too.
      for (const e of rt.extensions) {
        def = findAttr(e.schema.attributes, attrName!);
        if (def) {
          ext = e.schema.id;
          break;
        }
      }
    }
    if (!def) {
      throw invalidValue(`${o.context}: unknown attribute "${ext ? `${ext}:` : ''}${key}"`);
    }
    const target = ext ? ((out[ext] ??= {}) as Record<string, unknown>) : out;
    if (def.mutability === 'readOnly') {
      if (o.readOnly === 'ignore') return;
      throw mutability(`${def.name} is read-only`);
    }
    if (subName !== undefined) {
      assertSafeKey(subName, o.context);
      const sub = findAttr(def.subAttributes, subName);
      if (!sub || def.multiValued) throw invalidValue(`${o.context}: "${key}" is not an attribute path`);
      const obj = ((target[def.name] as Record<string, unknown> | undefined) ??= {});
      obj[sub.name] = canonSubValue(sub, value, `${def.name}.${sub.name}`);
      return;
    }
    const v = canonValue(def, value, def.name, o);
    const prev = target[def.name];
    // "name" and "name.givenName" in one value: merge the two.
    target[def.name] = isObject(prev) && isObject(v) ? { ...prev, ...v } : v;
  };
  for (const [k, v] of Object.entries(input)) {
    assertSafeKey(k, o.context);
    if (k.toLowerCase() === 'schemas') continue;
    if (/^urn:/i.test(k)) {
      const urn = knownUrn(rt, k);
      if (urn === rt.schema.id) {
        if (!isObject(v)) throw invalidValue(`${o.context}: ${k} must be an object`);
        for (const [kk, vv] of Object.entries(v)) put(null, kk, vv);
        continue;
      }
      if (urn) {
        if (!isObject(v)) throw invalidValue(`${o.context}: ${k} must be an object`);
        for (const [kk, vv] of Object.entries(v)) {
          assertSafeKey(kk, o.context);
          // A whole extension object as a PATCH value may carry its own "schemas" (clients
          // send the extension as they would a resource); it names, it is not an attribute.
          if (kk.toLowerCase() === 'schemas') continue;
          put(urn, kk, vv);
        }
        continue;
      }
      // "urn:…:enterprise:2.0:User:department" — a URN-qualified attribute name.
      const i = k.lastIndexOf(':');
      const prefix = knownUrn(rt, k.slice(0, i));
      if (!prefix) throw invalidValue(`${o.context}: unknown schema in "${k}"`);
      put(prefix === rt.schema.id ? null : prefix, k.slice(i + 1), v);
      continue;
    }
    put(null, k, v);
  }
  return out;
}

/** The orgbridge extension's unqualified aliases the seed product documents. */
export const SEED_ALIASES: Record<string, string> = {
  weaveRole: `${URN.orgbridgeUser}:weaveAccess`,
};
