import type { ScimLimits } from './core.ts';
import { limitsForFilter } from './core.ts';
import { invalidValue } from './errors.ts';
import type { FilterNode } from './filter/ast.ts';
import { parseFilter } from './filter/parse.ts';
import { makeProjection, parseAttributeList, type Projection } from './projection.ts';
import { splitAttrPath, type AttrPath, type ResourceTypeDef } from './schemas/index.ts';

// Query parameters of a list (GET) or a search (POST /.search) request (RFC 7644 §3.4.2).

export interface ListParams {
  filter?: FilterNode;
  sortBy?: AttrPath;
  descending: boolean;
  startIndex: number;
  count: number;
  projection: Projection;
}

function integer(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : /^-?\d+$/.test(String(v).trim()) ? Number(String(v).trim()) : NaN;
  if (!Number.isInteger(n)) throw invalidValue(`${name} must be an integer`);
  return n;
}

function single(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) throw invalidValue(`${name} given more than once`);
  return String(v);
}

export function parseListParams(rt: ResourceTypeDef, q: Record<string, unknown>, limits: ScimLimits): ListParams {
  // Parameter names are case-insensitive (RFC 7644 §3.4.2: "startIndex" vs "startindex").
  const get = (name: string) => {
    const k = Object.keys(q).find((x) => x.toLowerCase() === name.toLowerCase());
    return k === undefined ? undefined : q[k];
  };
  const filterText = single(get('filter'), 'filter');
  const sortBy = single(get('sortBy'), 'sortBy');
  const sortOrder = single(get('sortOrder'), 'sortOrder');
  if (sortOrder !== undefined && !/^(ascending|descending)$/i.test(sortOrder)) throw invalidValue('sortOrder must be ascending or descending');
  // §3.4.2.4: startIndex < 1 is 1; count < 0 is 0; count above the maximum is the maximum.
  const startIndex = Math.min(Number.MAX_SAFE_INTEGER, Math.max(1, integer(get('startIndex'), 'startIndex') ?? 1));
  const count = Math.min(limits.maxPageSize, Math.max(0, integer(get('count'), 'count') ?? limits.defaultPageSize));
  const p: ListParams = {
    descending: sortOrder?.toLowerCase() === 'descending',
    startIndex,
    count,
    projection: makeProjection(rt, parseAttributeList(get('attributes')), parseAttributeList(get('excludedAttributes'))),
  };
  if (filterText !== undefined) p.filter = parseFilter(filterText, limitsForFilter(limits));
  if (sortBy !== undefined && sortBy.trim()) p.sortBy = splitAttrPath(rt, sortBy.trim());
  return p;
}
