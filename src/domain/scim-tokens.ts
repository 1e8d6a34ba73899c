import type { Conn } from '../db/connect.ts';
import { sql } from '../db/sql.ts';
import { hashSecret, newId, newSecret, sameDigest } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import { touchLastUsed } from './last-used.ts';
import type { Tx } from './context.ts';
import { notFound } from './errors.ts';

export interface ScimTokenInfo {
  id: string;
  orgId: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const info = (r: Record<string, unknown>): ScimTokenInfo => ({
  id: r.id as string,
  orgId: r.org_id as string,
  label: r.label as string,
  createdAt: r.created_at as Date,
  lastUsedAt: (r.last_used_at as Date | null) ?? null,
  revokedAt: (r.revoked_at as Date | null) ?? null,
});

/** Creates a token; the secret is returned once and only its hash is stored. */
export async function createScimToken(tx: Tx, orgId: string, label = ''): Promise<{ token: string; info: ScimTokenInfo }> {
  const token = newSecret('obscim');
  const [row] = await tx.trx('scim_tokens').insert({ id: newId(), org_id: orgId, label, token_hash: hashSecret(token) }).returning('*');
  await audit(tx, { orgId, action: 'scim_token.create', targetType: 'scim_token', targetId: row.id, after: { label } });
  return { token, info: info(row) };
}

export async function listScimTokens(conn: Conn, orgId: string): Promise<ScimTokenInfo[]> {
  return (await conn('scim_tokens').where({ org_id: orgId }).orderBy('created_at')).map(info);
}

export async function revokeScimToken(tx: Tx, id: string, orgId?: string): Promise<ScimTokenInfo> {
  const row = await tx.trx('scim_tokens')
    .where({ id })
    .modify((q) => {
      if (orgId) q.where({ org_id: orgId });
    })
    .first();
  if (!row) throw notFound('SCIM token', id);
  if (!row.revoked_at) {
    await tx.trx('scim_tokens').where({ id }).update({ revoked_at: tx.trx.fn.now() });
    await audit(tx, { orgId: row.org_id, action: 'scim_token.revoke', targetType: 'scim_token', targetId: id, before: { label: row.label } });
  }
  return info({ ...row, revoked_at: row.revoked_at ?? new Date() });
}

export const TOKEN_BY_HASH = 'select id, org_id, token_hash, last_used_at from scim_tokens where token_hash = $1 and revoked_at is null limit 1';

/**
 * The organization a bearer token belongs to, or null for an unknown or revoked token.
 * Looked up by the hash, then compared in constant time.
 */
export async function authenticateScimToken(conn: Conn, token: string): Promise<{ orgId: string; tokenId: string } | null> {
  const digest = hashSecret(token);
  // Every SCIM request runs this: a fixed statement run by db/sql.ts (why: BENCHMARKS.md,
  // "Reading these numbers"). bench/floor.ts replays it.
  const [row] = await sql<{ id: string; org_id: string; token_hash: string; last_used_at: Date | null }>(conn, TOKEN_BY_HASH, [digest]);
  if (!row || !sameDigest(row.token_hash, digest)) return null;
  await touchLastUsed(conn, 'scim_tokens', row.id, row.last_used_at);
  return { orgId: row.org_id, tokenId: row.id };
}
