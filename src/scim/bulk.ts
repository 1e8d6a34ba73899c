import { URN } from './constants.ts';
import type { ScimContext, ScimRequest, ScimResponse } from './core.ts';
import { toScimError } from './error-map.ts';
import { invalidSyntax, payloadTooLarge, renderError, ScimError } from './errors.ts';

// Bulk (RFC 7644 §3.7): each operation goes through the same dispatcher as a single
// request, in its own transaction; bulkId references are found once, operations run in
// dependency order, and each reference is replaced as its creation finishes.

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

/** Every bulkId an operation names, in its path and in any string of its data (walked once, never re-serialised). */
function refsOf(op: BulkOp): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.includes('bulkId:')) for (const m of v.matchAll(REF)) found.add(m[1]!);
    } else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (isObject(v)) for (const x of Object.values(v)) walk(x);
  };
  walk(op.path);
  walk(op.data);
  return found;
}

function substitute(v: unknown, ids: Map<string, string>): unknown {
  if (typeof v === 'string') return v.includes('bulkId:') ? v.replace(REF, (m, id: string) => ids.get(id) ?? m) : v;
  if (Array.isArray(v)) return v.map((x) => substitute(x, ids));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, ids)]));
  return v;
}

/**
 * The order to run operations in (RFC 7644 §3.7.2: a bulkId may be referenced before the
 * operation that creates it): Kahn's algorithm over "names the bulkId of", each reference
 * counted once. Operations without references keep the order they were sent in; an
 * operation runs after every creation it names. What is left over is on a cycle, or waits
 * on one: `circular`.
 */
function planOrder(ops: BulkOp[], refs: Set<string>[]): { order: number[]; circular: number[] } {
  const creator = new Map<string, number>();
  ops.forEach((o, i) => { if (o.method === 'POST' && o.bulkId) creator.set(o.bulkId, i); });
  const waiting = new Array<number>(ops.length).fill(0);
  const dependants: number[][] = ops.map(() => []);
  refs.forEach((names, i) => {
    for (const name of names) {
      const j = creator.get(name);
      if (j === undefined) continue; // unknown bulkId: the operation fails with 409 when it runs
      waiting[i]!++;
      dependants[j]!.push(i);
    }
  });
  const order = ops.map((_, i) => i).filter((i) => waiting[i] === 0);
  for (let k = 0; k < order.length; k++) {
    for (const d of dependants[order[k]!]!) if (--waiting[d]! === 0) order.push(d);
  }
  return { order, circular: ops.map((_, i) => i).filter((i) => waiting[i]! > 0) };
}

// No request may hold the event loop (issue 14 item 6): operations that fail without
// touching the database (a failed referent) run back to back without yielding, so the
// loop is given back whenever a slice of synchronous work has lasted this long.
const SLICE_MS = 5;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  const declared = new Set<string>();
  for (const [i, op] of ops.entries()) {
    if (op.method !== 'POST' || !op.bulkId) continue;
    // RFC 7644 §3.7: a bulkId identifies one new resource; two would make references ambiguous.
    if (declared.has(op.bulkId)) throw invalidSyntax(`Operations[${i}]: bulkId ${op.bulkId} is declared twice`);
    declared.add(op.bulkId);
  }
  const f = body.failOnErrors;
  if (f !== undefined && (!Number.isInteger(f) || (f as number) < 1)) throw invalidSyntax('failOnErrors must be a positive integer');
  return { ops, failOnErrors: (f as number | undefined) ?? Number.POSITIVE_INFINITY };
}

export async function handleBulk(ctx: ScimContext, req: ScimRequest, dispatch: Dispatch): Promise<ScimResponse> {
  const { ops, failOnErrors } = parse(req.body, ctx.limits.bulkMaxOperations);
  const refs = ops.map(refsOf);
  const { order, circular } = planOrder(ops, refs);
  const ids = new Map<string, string>();
  const results: (Obj | undefined)[] = new Array(ops.length);
  let errors = 0;

  const fail = (out: Obj, err: unknown): Obj => {
    const e = toScimError(err);
    if (!e) ctx.log?.(err);
    const rendered = renderError(e ?? new ScimError(500, null, 'internal error'));
    out.status = String(rendered.status);
    out.response = rendered.body;
    errors++;
    return out;
  };

  const run = async (i: number, isCircular: boolean): Promise<Obj> => {
    const op = ops[i]!;
    const out: Obj = { method: op.method };
    if (op.bulkId) out.bulkId = op.bulkId;
    if (op.version) out.version = op.version;
    // RFC 7644 §3.7.1: a reference that cannot be resolved (its operation failed, it is
    // circular, or no operation declares it) is 409 for the operation that names it.
    const missing = [...refs[i]!].find((r) => !ids.has(r));
    if (missing !== undefined) {
      const why = isCircular ? 'is part of, or waits on, a circular reference' : 'could not be resolved (its operation failed, or no operation declares it)';
      // Rendered as renderError would, without an Error: a long chain of failed referents
      // would otherwise capture a stack trace per operation.
      out.status = '409';
      out.response = { schemas: [URN.error], status: '409', detail: `bulkId ${missing} ${why}` };
      errors++;
      return out;
    }
    try {
      const r = await dispatch(ctx, { method: op.method, path: substitute(op.path, ids) as string, query: {}, body: substitute(op.data, ids), ifMatch: op.version });
      const location = r.headers?.Location ?? (isObject(r.body) && isObject(r.body.meta) ? (r.body.meta.location as string) : undefined);
      if (location) out.location = location;
      if (r.headers?.ETag) out.version = r.headers.ETag;
      out.status = String(r.status);
      if (op.bulkId && op.method === 'POST' && isObject(r.body) && typeof r.body.id === 'string') ids.set(op.bulkId, r.body.id);
      return out;
    } catch (err: unknown) {
      return fail(out, err);
    }
  };

  let slice = performance.now();
  const plan: [number, boolean][] = [...order.map((i): [number, boolean] => [i, false]), ...circular.map((i): [number, boolean] => [i, true])];
  for (const [i, isCircular] of plan) {
    if (errors >= failOnErrors) break;
    if (performance.now() - slice > SLICE_MS) {
      await yieldToLoop();
      slice = performance.now();
    }
    results[i] = await run(i, isCircular);
  }
  return { status: 200, body: { schemas: [URN.bulkResponse], Operations: results.filter(Boolean) } };
}
