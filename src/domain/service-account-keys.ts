import type { Conn } from '../db/connect.ts';
import { hashSecret, newId, newSecret } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { invalid, notFound } from './errors.ts';

// API keys of service accounts (SPEC §1; seeds/000 "Service" role): shown once, only a
// SHA-256 kept, optionally expiring, revocable, last use recorded. They live apart from
// the admin API keys (api_keys): a service account's key never opens the admin API; the
// platform presents it to the decision API, which is where its use is seen.

export const SERVICE_KEY_PREFIX = 'obsak';
const MAX_TTL_DAYS = 3650;

export interface ServiceAccountKeyInfo {
  id: string;
  serviceAccountId: string;
  label: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const keyInfo = (r: Record<string, unknown>): ServiceAccountKeyInfo => ({
  id: r.id as string,
  serviceAccountId: r.service_account_id as string,
  label: r.label as string,
  createdAt: r.created_at as Date,
  expiresAt: (r.expires_at as Date | null) ?? null,
  lastUsedAt: (r.last_used_at as Date | null) ?? null,
  revokedAt: (r.revoked_at as Date | null) ?? null,
});

export async function createServiceAccountKey(
  tx: Tx,
  orgId: string,
  serviceAccountId: string,
  opts: { label?: string; expiresInDays?: number | null; now?: Date } = {},
): Promise<{ key: string; info: ServiceAccountKeyInfo }> {
  const sa = await tx.trx('service_accounts').where({ id: serviceAccountId, org_id: orgId }).whereNull('deleted_at').first('id');
  if (!sa) throw notFound('service account', serviceAccountId);
  const days = opts.expiresInDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_TTL_DAYS)) throw invalid(`expiresInDays must be a whole number from 1 to ${MAX_TTL_DAYS}`);
  const now = opts.now ?? new Date();
  const key = newSecret(SERVICE_KEY_PREFIX);
  const [row] = await tx.trx('service_account_keys')
    .insert({
      id: newId(),
      org_id: orgId,
      service_account_id: serviceAccountId,
      label: opts.label ?? '',
      token_hash: hashSecret(key),
      created_by: tx.actor.type === 'user' ? tx.actor.id : null,
      expires_at: days === null ? null : new Date(now.getTime() + days * 86_400_000),
    })
    .returning('*');
  await audit(tx, { orgId, action: 'service_account.key.create', targetType: 'service_account', targetId: serviceAccountId, after: { keyId: row.id, label: row.label, expiresAt: row.expires_at } });
  return { key, info: keyInfo(row) };
}

export async function listServiceAccountKeys(conn: Conn, orgId: string, serviceAccountIds: string[]): Promise<ServiceAccountKeyInfo[]> {
  if (!serviceAccountIds.length) return [];
  const rows = await conn('service_account_keys').where({ org_id: orgId }).whereIn('service_account_id', serviceAccountIds).orderBy('created_at');
  return rows.map(keyInfo);
}

export async function revokeServiceAccountKey(tx: Tx, orgId: string, serviceAccountId: string, keyId: string): Promise<void> {
  const n = await tx.trx('service_account_keys').where({ id: keyId, org_id: orgId, service_account_id: serviceAccountId }).whereNull('revoked_at').update({ revoked_at: tx.trx.fn.now() });
  if (!n) throw notFound('service account key', keyId);
  await audit(tx, { orgId, action: 'service_account.key.revoke', targetType: 'service_account', targetId: serviceAccountId, after: { keyId } });
}

export interface LiveServiceKey {
  id: string;
  orgId: string;
  serviceAccountId: string;
  hash: string;
}

/**
 * The live keys among these digests (not revoked, not expired, their account not
 * deleted), in one query; their last use is recorded at minute granularity in one more.
 */
export async function liveServiceKeys(conn: Conn, digests: string[], now: Date): Promise<LiveServiceKey[]> {
  if (!digests.length) return [];
  const rows = (await conn('service_account_keys as k')
    .join('service_accounts as s', 's.id', 'k.service_account_id')
    .whereIn('k.token_hash', digests)
    .whereNull('k.revoked_at')
    .whereNull('s.deleted_at')
    .where((w) => w.whereNull('k.expires_at').orWhere('k.expires_at', '>', now))
    .select('k.id', 'k.org_id', 'k.service_account_id', 'k.token_hash', 'k.last_used_at')) as { id: string; org_id: string; service_account_id: string; token_hash: string; last_used_at: Date | null }[];
  const stale = rows.filter((r) => !r.last_used_at || now.getTime() - new Date(r.last_used_at).getTime() > 60_000).map((r) => r.id);
  if (stale.length) await conn('service_account_keys').whereIn('id', stale).update({ last_used_at: now });
  return rows.map((r) => ({ id: r.id, orgId: r.org_id, serviceAccountId: r.service_account_id, hash: r.token_hash }));
}
