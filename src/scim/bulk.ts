import { URN } from './constants.ts';
import type { ScimContext, ScimRequest, ScimResponse } from './core.ts';
import { toScimError } from './error-map.ts';
import { invalidSyntax, payloadTooLarge, renderError, ScimError } from './errors.ts';

// Bulk (RFC 7644 §3.7): each operation goes through the same dispatcher as a single
// request, in its own transaction; bulkId references are resolved as creations finish.

type Dispatch = (ctx: ScimContext, req: ScimRequest) => Promise<ScimResponse>;
type Obj = Record<string, unknown>;

interface BulkOp {
  method: string;
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const REF = /bulkId:([^"\s/]+)/g;

function refsOf(op: BulkOp): string[] {
  const text = `${op.path} ${op.data === undefined ? '' : JSON.stringify(op.data)}`;
  return [...text.matchAll(REF)].map((m) => m[1]!);
}

function substitute(v: unknown, ids: Map<string, string>): unknown {
  if (typeof v === 'string') return v.replace(REF, (m, id: string) => ids.get(id) ?? m);
  if (Array.isArray(v)) return v.map((x) => substitute(x, ids));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, ids)]));
  return v;
}

function parse(body: unknown, max: number): { ops: BulkOp[]; failOnErrors: number } {
  if (!isObject(body)) throw invalidSyntax('Bulk body must be a JSON object');
  if (!Array.isArray(body.schemas) || !body.schemas.includes(URN.bulkRequest)) throw invalidSyntax(`Bulk body must list the schema ${URN.bulkRequest}`);
  const raw = body.Operations;
  if (!Array.isArray(raw)) throw invalidSyntax('Bulk body needs an "Operations" array');
  if (raw.length > max) throw payloadTooLarge(`at most ${max} operations per Bulk request`);
  const ops = raw.map((o, i): BulkOp => {
    if (!isObject(o) || typeof o.method !== 'string' || typeof o.path !== 'string') throw invalidSyntax(`Operations[${i}] needs method and path`);
    const method = o.method.toUpperCase();
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) throw invalidSyntax(`Operations[${i}]: method must be POST, PUT, PATCH or DELETE`);
    if (method === 'POST' && typeof o.bulkId !== 'string') throw invalidSyntax(`Operations[${i}]: POST needs a bulkId`);
    if (!/^\/(Users|Groups|Roles)(\/|$)/i.test(o.path)) throw invalidSyntax(`Operations[${i}]: path must name /Users, /Groups or /Roles`);
    const op: BulkOp = { method, path: o.path };
    if (typeof o.bulkId === 'string') op.bulkId = o.bulkId;
    if (typeof o.version === 'string') op.version = o.version;
    if (o.data !== undefined) op.data = o.data;
    return op;
  });
  const f = body.failOnErrors;
  if (f !== undefined && (!Number.isInteger(f) || (f as number) < 1)) throw invalidSyntax('failOnErrors must be a positive integer');
  return { ops, failOnErrors: (f as number | undefined) ?? Number.POSITIVE_INFINITY };
}

export async function handleBulk(ctx: ScimContext, req: ScimRequest, dispatch: Dispatch): Promise<ScimResponse> {
  const { ops, failOnErrors } = parse(req.body, ctx.limits.bulkMaxOperations);
  const ids = new Map<string, string>();
  const declared = new Set(ops.map((o) => o.bulkId).filter(Boolean));
  const results: (Obj | undefined)[] = new Array(ops.length);
  let errors = 0;

  const run = async (op: BulkOp): Promise<Obj> => {
    const out: Obj = { method: op.method };
    if (op.bulkId) out.bulkId = op.bulkId;
    if (op.version) out.version = op.version;
    try {
      const missing = refsOf(op).filter((r) => !ids.has(r));
      if (missing.length) throw new ScimError(409, null, `bulkId ${missing[0]} could not be resolved (failed, circular or unknown)`);
      const r = await dispatch(ctx, { method: op.method, path: op.path.replace(REF, (m, id: string) => ids.get(id) ?? m), query: {}, body: substitute(op.data, ids), ifMatch: op.version });
      const location = r.headers?.Location ?? (isObject(r.body) && isObject(r.body.meta) ? (r.body.meta.location as string) : undefined);
      if (location) out.location = location;
      if (r.headers?.ETag) out.version = r.headers.ETag;
      out.status = String(r.status);
      if (op.bulkId && op.method === 'POST' && isObject(r.body) && typeof r.body.id === 'string') ids.set(op.bulkId, r.body.id);
    } catch (err: unknown) {
      const e = toScimError(err);
      if (!e) ctx.log?.(err);
      const rendered = renderError(e ?? new ScimError(500, null, 'internal error'));
      out.status = String(rendered.status);
      out.response = rendered.body;
      errors++;
    }
    return out;
  };

  // In order; an operation that refers to a bulkId created later waits for it.
  const deferred: number[] = [];
  for (let i = 0; i < ops.length && errors < failOnErrors; i++) {
    const op = ops[i]!;
    if (refsOf(op).some((r) => !ids.has(r) && declared.has(r))) {
      deferred.push(i);
      continue;
    }
    results[i] = await run(op);
  }
  let progress = true;
  while (deferred.length && progress && errors < failOnErrors) {
    progress = false;
    for (const i of [...deferred]) {
      if (errors >= failOnErrors) break;
      if (refsOf(ops[i]!).some((r) => !ids.has(r) && declared.has(r) && deferred.some((j) => ops[j]!.bulkId === r))) continue;
      deferred.splice(deferred.indexOf(i), 1);
      results[i] = await run(ops[i]!);
      progress = true;
    }
  }
  for (const i of deferred) if (errors < failOnErrors) results[i] = await run(ops[i]!); // circular: fail with 409
  return { status: 200, body: { schemas: [URN.bulkResponse], Operations: results.filter(Boolean) } };
}
