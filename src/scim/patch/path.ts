import { invalidPath } from '../errors.ts';
import type { FilterNode } from '../filter/ast.ts';
import { parseFilter, type ParseLimits } from '../filter/parse.ts';
import { knownUrn, resolveAttribute, splitAttrPath, type AttributeDef, type ResourceTypeDef } from '../schemas/index.ts';
import { findSubAttr } from '../seed-dialect.ts';
import { assertSafeKey, SEED_ALIASES } from '../values.ts';

// PATCH paths (RFC 7644 §3.5.2): attrPath, attrPath[valFilter], attrPath[valFilter].subAttr,
// each optionally URN-qualified, or a bare extension URN.

export interface PatchPath {
  text: string;
  /** Extension URN, or null for core/common attributes. */
  ext: string | null;
  /** Absent when the path names a whole extension ("urn:…:enterprise:2.0:User"). */
  attr?: AttributeDef;
  sub?: AttributeDef;
  filter?: FilterNode;
}

function findClose(s: string, open: number): number {
  let inString = false;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ']') return i;
  }
  return -1;
}

export function parsePatchPath(rt: ResourceTypeDef, raw: unknown, limits: ParseLimits): PatchPath {
  if (typeof raw !== 'string' || !raw.trim()) throw invalidPath('path must be a non-empty string');
  const text = raw.trim();
  if (text.length > limits.maxLength) throw invalidPath(`path is longer than ${limits.maxLength} characters`);
  const bracket = text.indexOf('[');
  let head = text;
  let filter: FilterNode | undefined;
  let tail: string | undefined;
  if (bracket >= 0) {
    const close = findClose(text, bracket);
    if (close < 0) throw invalidPath(`unbalanced [ in path "${text}"`);
    head = text.slice(0, bracket);
    filter = parseFilter(text.slice(bracket + 1, close), limits);
    const rest = text.slice(close + 1);
    if (rest) {
      if (!/^\.[A-Za-z$][\w$-]*$/.test(rest)) throw invalidPath(`"${text}" is not a valid path`);
      tail = rest.slice(1);
    }
  }
  const whole = knownUrn(rt, head);
  if (whole && !filter) {
    if (whole === rt.schema.id) throw invalidPath(`"${text}" names a schema, not an attribute`);
    return { text, ext: whole };
  }
  const alias = Object.entries(SEED_ALIASES).find(([a]) => a.toLowerCase() === head.toLowerCase());
  const p = splitAttrPath(rt, alias ? alias[1] : head);
  for (const seg of [p.attr, p.sub, tail]) if (seg !== undefined) assertSafeKey(seg, 'path');
  if (!/^[A-Za-z$][\w$-]*$/.test(p.attr)) throw invalidPath(`"${text}" is not a valid path`);
  if (p.sub !== undefined && (filter || tail !== undefined)) throw invalidPath(`"${text}" is not a valid path`);
  const r = resolveAttribute(rt, { ...(p.urn !== undefined ? { urn: p.urn } : {}), attr: p.attr });
  if (!r) {
    throw invalidPath(`unknown attribute in path "${text}"`);
  }
  const out: PatchPath = { text, ext: r.ext, attr: r.attr };
  const subName = p.sub ?? tail;
  if (subName !== undefined) {
    const sub = findSubAttr(r.attr, subName);
    if (!sub) throw invalidPath(`${r.attr.name} has no sub-attribute "${subName}"`);
    out.sub = sub;
  }
  if (filter) {
    if (!r.attr.multiValued) throw invalidPath(`${r.attr.name} is not multi-valued; it cannot take a filter`);
    out.filter = filter;
  }
  return out;
}
