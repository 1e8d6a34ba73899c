import type { Conn } from '../db/connect.ts';
import { hashSecret, newId, newSecret, sameDigest } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { notFound } from './errors.ts';

// Platform credentials: how the platform itself reaches orgbridge (SPEC: it "asks orgbridge
// who may do what"). An operator makes one with the CLI. It may ask the decision API and
// register the platform's projects and registries — never change the directory (people,
// roles, teams, seats). One bound to an organization speaks for that organization only;
// one without speaks for the deployment. Only a SHA-256 of the secret is kept.

export const PLATFORM_PREFIX = 'obplat';

export interface PlatformCredentialInfo {
  id: string;
  orgId: string | null;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const info = (r: Record<string, unknown>): PlatformCredentialInfo => ({
  id: r.id as string,
  orgId: (r.org_id as string | null) ?? null,
  label: r.label as string,
  createdAt: r.created_at as Date,
  lastUsedAt: (r.last_used_at as Date | null) ?? null,
  revokedAt: (r.revoked_at as Date | null) ?? null,
});

export async function createPlatformCredential(tx: Tx, orgId: string | null, label = ''): Promise<{ secret: string; info: PlatformCredentialInfo }> {
  const secret = newSecret(PLATFORM_PREFIX);
  const [row] = await tx.trx('platform_credentials').insert({ id: newId(), org_id: orgId, label, token_hash: hashSecret(secret) }).returning('*');
  await audit(tx, { orgId, action: 'platform_credential.create', targetType: 'platform_credential', targetId: row.id, after: { label, scope: orgId ? 'organization' : 'deployment' } });
  return { secret, info: info(row) };
}

export async function listPlatformCredentials(conn: Conn, orgId?: string): Promise<PlatformCredentialInfo[]> {
  const rows = await conn('platform_credentials').modify((q) => { if (orgId) q.where({ org_id: orgId }); }).orderBy('created_at');
  return rows.map(info);
}

export async function revokePlatformCredential(tx: Tx, id: string): Promise<PlatformCredentialInfo> {
  const row = await tx.trx('platform_credentials').where({ id }).first();
  if (!row) throw notFound('platform credential', id);
  if (!row.revoked_at) {
    await tx.trx('platform_credentials').where({ id }).update({ revoked_at: tx.trx.fn.now() });
    await audit(tx, { orgId: row.org_id, action: 'platform_credential.revoke', targetType: 'platform_credential', targetId: id, before: { label: row.label } });
  }
  return info({ ...row, revoked_at: row.revoked_at ?? new Date() });
}

/** The credential a secret names, or null (unknown or revoked). Looked up by hash, compared in constant time. */
export async function authenticatePlatformCredential(conn: Conn, secret: string): Promise<PlatformCredentialInfo | null> {
  const digest = hashSecret(secret);
  const row = await conn('platform_credentials').where({ token_hash: digest }).whereNull('revoked_at').first();
  if (!row || !sameDigest(row.token_hash, digest)) return null;
  // Minute granularity, as for SCIM tokens: one write per credential per minute.
  const last = row.last_used_at ? new Date(row.last_used_at).getTime() : 0;
  if (Date.now() - last > 60_000) await conn('platform_credentials').where({ id: row.id }).update({ last_used_at: conn.fn.now() });
  return info(row);
}
