import type { Knex } from 'knex';
import { URN } from '../constants.ts';
import type { ScimContext, ScimResponse } from '../core.ts';
import { invalidValue, ScimError } from '../errors.ts';
import type { FilterNode } from '../filter/ast.ts';
import { compileFilter, sortExpression, type ColumnMap } from '../filter/sql.ts';
import { parseListParams } from '../list-params.ts';
import { project, type Projection } from '../projection.ts';
import { COMMON_ATTRIBUTES, type ResourceTypeDef } from '../schemas/index.ts';

// One list/search implementation for every resource type: filter compiled to SQL,
// total counted with SQL, one page fetched with LIMIT/OFFSET, count and page in parallel.

export interface ListSpec {
  rt: ResourceTypeDef;
  columns: ColumnMap;
  /** FROM clause (joins included). */
  from: string;
  /** The organization condition, with one `?` for the org id. */
  scope: string;
  /** A cheaper count when there is no filter (optional): a statement answering `n`, one `?` for the org id. */
  countWithoutFilter?: string;
  select: string | ((p: Projection) => string);
  defaultOrder: string;
  /**
   * Without filter and sortBy: a condition selecting the page's rows by an index-only
   * scan of the scoped table (`?` org id, limit, offset), so a deep page skips rows
   * without joining them (a "deferred join").
   */
  pageByIndex?: string;
  render: (rows: unknown[], p: Projection) => Record<string, unknown>[] | Promise<Record<string, unknown>[]>;
}

/** Whether a filter compares or tests an attribute named `name` (anywhere in the tree). */
function mentions(node: FilterNode, name: string): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return mentions(node.left, name) || mentions(node.right, name);
    case 'not':
      return mentions(node.expr, name);
    case 'valuePath':
      return node.path.attr.toLowerCase() === name || mentions(node.filter, name);
    default:
      return node.path.attr.toLowerCase() === name;
  }
}

export interface ListSource {
  /** GET: the parameters came in the request URI; POST /.search: in the body. */
  inUri: boolean;
}

export async function listResources(ctx: ScimContext, query: Record<string, unknown>, spec: ListSpec, source: ListSource = { inUri: true }): Promise<ScimResponse> {
  const p = parseListParams(spec.rt, query, ctx.limits);
  // RFC 7644 §3.12 "sensitive": a password compared in a URI travels in logs and caches.
  if (p.filter && source.inUri && mentions(p.filter, 'password')) {
    throw new ScimError(403, 'sensitive', 'filtering on password in a request URI is refused; passwords are not stored and never leave a request body');
  }
  let where = spec.scope;
  const bindings: Knex.RawBinding[] = [ctx.orgId];
  if (p.filter) {
    const f = compileFilter(p.filter, spec.rt, spec.columns);
    where += ` and ${f.sql}`;
    bindings.push(...(f.bindings as Knex.RawBinding[]));
  }
  let order = spec.defaultOrder;
  if (p.sortBy) {
    const expr = sortExpression(spec.rt, spec.columns, p.sortBy);
    if (!expr) throw invalidValue(`cannot sort by ${p.sortBy.attr}`);
    const dir = p.descending ? 'desc' : 'asc';
    order = `${expr} ${dir} nulls last, ${spec.defaultOrder}`;
  }
  const select = typeof spec.select === 'string' ? spec.select : spec.select(p.projection);
  const countSql = !p.filter && spec.countWithoutFilter ? spec.countWithoutFilter : `select count(*)::int as n from ${spec.from} where ${where}`;
  const count = async () => Number(((await ctx.db.raw(countSql, bindings)).rows as { n: number }[])[0]?.n ?? 0);
  const page = async (): Promise<unknown[]> => {
    if (p.count === 0) return [];
    const offset = p.startIndex - 1;
    if (!p.filter && !p.sortBy && spec.pageByIndex) {
      return (await ctx.db.raw(`select ${select} from ${spec.from} where ${spec.pageByIndex} order by ${order}`, [ctx.orgId, p.count, offset])).rows as unknown[];
    }
    return (await ctx.db.raw(`select ${select} from ${spec.from} where ${where} order by ${order} limit ? offset ?`, [...bindings, p.count, offset])).rows as unknown[];
  };
  let total: number;
  let rows: unknown[];
  if (p.filter && p.count > 0) {
    // A filtered page that is not full, read from the start, is the whole result: the
    // usual IdP lookup (userName eq, displayName eq) costs one statement.
    rows = await page();
    total = rows.length < p.count && (rows.length > 0 || p.startIndex === 1) ? p.startIndex - 1 + rows.length : await count();
  } else {
    [total, rows] = await Promise.all([count(), page()]);
  }
  const resources = rows.length ? await spec.render(rows, p.projection) : [];
  return {
    status: 200,
    body: {
      schemas: [URN.listResponse],
      totalResults: total,
      startIndex: p.startIndex,
      itemsPerPage: resources.length,
      Resources: resources.map((r) => project(spec.rt, r, p.projection, COMMON_ATTRIBUTES)),
    },
  };
}
