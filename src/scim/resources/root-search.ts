import { URN } from '../constants.ts';
import type { ScimContext, ScimResponse } from '../core.ts';
import { invalidValue, ScimError } from '../errors.ts';
import { parseListParams } from '../list-params.ts';
import { USER } from '../schemas/index.ts';
import type { ListSource } from './list.ts';

// POST /.search at the service provider's root (RFC 7644 §3.4.3): one query over every
// resource type, answered as one ListResponse whose Resources may mix types. Each type
// runs its own SQL; the result is their concatenation in the order Users, Groups, Roles,
// paged as one list. A filter naming an attribute one type does not have matches nothing
// of that type (§3.4.2.2: a filter on an attribute a resource lacks is false there).

type Lister = (ctx: ScimContext, q: Record<string, unknown>, source: ListSource) => Promise<ScimResponse>;

interface Page {
  totalResults: number;
  Resources: Record<string, unknown>[];
}

const BODY = { inUri: false };

export async function rootSearch(ctx: ScimContext, query: Record<string, unknown>, listers: readonly Lister[]): Promise<ScimResponse> {
  const sortKey = Object.keys(query).find((k) => k.toLowerCase() === 'sortby');
  if (sortKey !== undefined && query[sortKey] !== undefined && query[sortKey] !== '') {
    // One sort order across resource types has no meaning the RFC defines.
    throw invalidValue('sortBy is not supported in a search at the root; search /Users/.search, /Groups/.search or /Roles/.search to sort');
  }
  // startIndex and count of the whole list (parsed and clamped as every list is; their
  // names in any case, §3.4.2). Each type is then asked for its own slice, under names no
  // spelling of the client's can shadow.
  const paging = (k: string) => ['startindex', 'count'].includes(k.toLowerCase());
  const { startIndex, count } = parseListParams(USER, Object.fromEntries(Object.entries(query).filter(([k]) => paging(k))), ctx.limits);
  const rest = Object.fromEntries(Object.entries(query).filter(([k]) => !paging(k)));

  const totals: (number | null)[] = [];
  let firstRefusal: ScimError | undefined;
  for (const list of listers) {
    try {
      const r = await list(ctx, { ...rest, startIndex: 1, count: 0 }, BODY);
      totals.push((r.body as Page).totalResults);
    } catch (err: unknown) {
      if (!(err instanceof ScimError) || err.scimType !== 'invalidFilter' || !/unknown or unfilterable attribute|is not a multi-valued attribute/.test(err.detail)) throw err;
      firstRefusal ??= err;
      totals.push(null);
    }
  }
  // A filter no resource type understands is the client's mistake, said as the first type said it.
  if (firstRefusal && totals.every((t) => t === null)) throw firstRefusal;

  const resources: Record<string, unknown>[] = [];
  const from = startIndex - 1;
  const to = from + count;
  let offset = 0;
  for (const [i, list] of listers.entries()) {
    const total = totals[i] ?? 0;
    const lo = Math.max(from, offset);
    const hi = Math.min(to, offset + total);
    if (hi > lo) {
      const r = await list(ctx, { ...rest, startIndex: lo - offset + 1, count: hi - lo }, BODY);
      resources.push(...(r.body as Page).Resources);
    }
    offset += total;
  }
  return {
    status: 200,
    body: { schemas: [URN.listResponse], totalResults: offset, startIndex, itemsPerPage: resources.length, Resources: resources },
  };
}
