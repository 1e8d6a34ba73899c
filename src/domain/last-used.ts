import type { Conn } from '../db/connect.ts';

/**
 * Records that a credential (SCIM token, API key) was used, at minute granularity: one
 * write per credential per minute rather than one per request, on the hottest paths.
 */
export async function touchLastUsed(conn: Conn, table: 'scim_tokens' | 'api_keys', id: string, lastUsedAt: Date | string | null): Promise<void> {
  const last = lastUsedAt ? new Date(lastUsedAt).getTime() : 0;
  if (Date.now() - last > 60_000) await conn(table).where({ id }).update({ last_used_at: conn.fn.now() });
}
