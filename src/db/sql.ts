import type { Conn } from './connect.ts';

/** What a driver connection (a `pg` Client, or PGlite under knex-pglite) answers to a query. */
interface DriverConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

interface ConnectionSource {
  acquireConnection(): Promise<DriverConnection>;
  releaseConnection(connection: DriverConnection): Promise<unknown>;
}

/**
 * Runs one fixed statement (`$1`-style placeholders) on a driver connection: inside a
 * transaction, on the transaction's own connection (knex's transaction client hands back
 * the one it holds and keeps it on release); outside, on one borrowed from the pool.
 *
 * Why not knex.raw: the statements every SCIM request and every create runs (token
 * lookup, organization, person lookup and insert, addresses, membership, audit row) are
 * fixed text, and knex's per-query machinery around them — rewriting `?` bindings twice,
 * the runner, connection bookkeeping, query events — cost ~13 µs of CPU per statement in
 * a CPU profile of `npm run bench` (BENCHMARKS.md, "Reading these numbers"). Everything
 * else stays on the query builder. These statements emit no knex 'query' events, and their
 * errors are the driver's own (code, constraint), without knex's SQL prefix on the message.
 */
export async function sql<R>(conn: Conn, text: string, values: readonly unknown[]): Promise<R[]> {
  const source = conn.client as ConnectionSource;
  const connection = await source.acquireConnection();
  try {
    return (await connection.query(text, values as unknown[])).rows as R[];
  } finally {
    await source.releaseConnection(connection);
  }
}

/**
 * The same, as a named prepared statement on PostgreSQL: parsed and planned once per
 * connection, for a statement the worker runs often whose planning costs more than its
 * execution (the fair delivery claim: ~1.5 ms to plan, ~0.6 ms to run). PGlite runs it as text.
 */
export async function preparedSql<R>(conn: Conn, name: string, text: string, values: readonly unknown[]): Promise<R[]> {
  const source = conn.client as ConnectionSource & { config: { client: unknown } };
  const connection = await source.acquireConnection();
  try {
    if (source.config.client !== 'pg') return (await connection.query(text, values as unknown[])).rows as R[];
    return (await (connection as unknown as PgConnection).query({ name, text, values: values as unknown[] })).rows as R[];
  } finally {
    await source.releaseConnection(connection);
  }
}

interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** `(?, ?), (?, ?)`-free placeholders: `$from, $from+1, …` for `count` values. */
export function placeholders(count: number, from = 1): string {
  let s = '';
  for (let i = 0; i < count; i++) s += i ? `, $${from + i}` : `$${from + i}`;
  return s;
}
