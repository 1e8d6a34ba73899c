import { URN } from '../constants.ts';
import { invalidSyntax, invalidValue, mutability, noTarget, payloadTooLarge } from '../errors.ts';
import type { ParseLimits } from '../filter/parse.ts';
import type { ResourceTypeDef } from '../schemas/index.ts';
import { seedOpOf } from '../seed-dialect.ts';
import { canonResource, canonSubValue, canonValue } from '../values.ts';
import { parsePatchPath, type PatchPath } from './path.ts';

// The PATCH request seam: everything identity providers really send is normalised here,
// once, into typed operations; the engine after it only sees canonical operations.

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path?: PatchPath;
  value?: unknown;
}

export interface PatchLimits extends ParseLimits {
  maxOperations: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function hasSchema(body: Record<string, unknown>, urn: string): boolean {
  return Array.isArray(body.schemas) && body.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase());
}

export function normalisePatchRequest(body: unknown, rt: ResourceTypeDef, resourceId: string, limits: PatchLimits): PatchOp[] {
  if (!isObject(body)) throw invalidSyntax('PATCH body must be a JSON object');
  if (!hasSchema(body, URN.patchOp)) throw invalidSyntax(`PATCH body must list the schema ${URN.patchOp}`);
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax('PATCH body needs a non-empty "Operations" array');
  if (ops.length > limits.maxOperations) throw payloadTooLarge(`at most ${limits.maxOperations} operations per PATCH request`);
  return ops.map((raw, i) => normaliseOp(raw, i, rt, resourceId, limits));
}

function normaliseOp(raw: unknown, i: number, rt: ResourceTypeDef, resourceId: string, limits: ParseLimits): PatchOp {
  const where = `Operations[${i}]`;
  if (!isObject(raw)) throw invalidSyntax(`${where} must be an object`);
  // Entra ID capitalises op ("Add", "Replace", "Remove").
  const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : undefined;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') throw invalidSyntax(`${where}: op must be add, replace or remove`);
  const path = raw.path === undefined || raw.path === null || raw.path === '' ? undefined : parsePatchPath(rt, raw.path, limits);
  const out: PatchOp = { op: op === 'remove' || path?.filter || path?.sub ? op : seedOpOf(op, path?.attr, raw.value) };
  if (path) out.path = path;

  if (op === 'remove') {
    if (!path) throw noTarget(`${where}: remove needs a path`);
    if (path.attr?.mutability === 'readOnly') throw mutability(`${path.attr.name} is read-only`);
    // Entra ID removes group members with {"path":"members","value":[{"value":"id"}]}:
    // only the listed values go.
    if (raw.value !== undefined && raw.value !== null) {
      if (!path.attr?.multiValued || path.filter || path.sub) throw invalidValue(`${where}: remove takes a value only for a multi-valued attribute`);
      out.value = canonValue(path.attr, raw.value, path.attr.name, { readOnly: 'ignore' });
    }
    return out;
  }

  if (raw.value === undefined) throw invalidValue(`${where}: ${op} needs a value`);
  if (!path) {
    let value = raw.value;
    if (isObject(value)) {
      // Okta sends the group's own id along with a rename: harmless when it is this id.
      const idKey = Object.keys(value).find((k) => k.toLowerCase() === 'id');
      if (idKey !== undefined) {
        if (value[idKey] !== resourceId) throw mutability('id is read-only');
        value = Object.fromEntries(Object.entries(value).filter(([k]) => k !== idKey));
      }
    }
    out.value = canonResource(rt, value, { readOnly: 'refuse', context: where });
    return out;
  }
  if (!path.attr) {
    out.value = canonResource(rt, { [path.ext!]: raw.value }, { readOnly: 'refuse', context: where });
    return out;
  }
  if (path.attr.mutability === 'readOnly') throw mutability(`${path.attr.name} is read-only`);
  if (path.sub) {
    if (path.sub.mutability === 'readOnly') throw mutability(`${path.attr.name}.${path.sub.name} is read-only`);
    out.value = canonSubValue(path.sub, raw.value, `${path.attr.name}.${path.sub.name}`);
  } else if (path.filter) {
    out.value = canonValue({ ...path.attr, multiValued: false }, raw.value, path.attr.name, { readOnly: 'refuse' });
  } else {
    out.value = canonValue(path.attr, raw.value, path.attr.name, { readOnly: 'refuse' });
  }
  return out;
}
