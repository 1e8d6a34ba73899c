import type { Conn } from '../db/connect.ts';
import { adminKeyCreatorActs } from './admin-keys.ts';
import { hashSecret, newId, newSecret, sameDigest } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import { touchLastUsed } from './last-used.ts';
import type { Tx } from './context.ts';
import { forbidden, invalid, notFound } from './errors.ts';
import { identityKey } from './people.ts';

// Service accounts: non-human identities owned by a team or the organization. They hold
// API keys, use no seat and are not SCIM Users (SPEC §1).

export interface ServiceAccountRow {
  id: string;
  org_id: string;
  team_id: string | null;
  name: string;
  created_at: Date;
  deleted_at: Date | null;
}

export async function createServiceAccount(tx: Tx, orgId: string, input: { name: string; teamId?: string | null }): Promise<ServiceAccountRow> {
  if (!input.name?.trim()) throw invalid('service account name is required');
  if (input.teamId && !(await tx.trx('teams').where({ id: input.teamId, org_id: orgId }).first('id'))) throw notFound('team', input.teamId);
  const [row] = await tx.trx('service_accounts').insert({ id: newId(), org_id: orgId, team_id: input.teamId ?? null, name: input.name.trim() }).returning('*');
  await audit(tx, { orgId, action: 'service_account.create', targetType: 'service_account', targetId: row.id, after: { name: row.name, teamId: row.team_id } });
  return row as ServiceAccountRow;
}

export async function deleteServiceAccount(tx: Tx, orgId: string, id: string): Promise<void> {
  const n = await tx.trx('service_accounts').where({ id, org_id: orgId }).whereNull('deleted_at').update({ deleted_at: tx.trx.fn.now() });
  if (!n) throw notFound('service account', id);
  await tx.trx('api_keys').where({ service_account_id: id }).whereNull('revoked_at').update({ revoked_at: tx.trx.fn.now() });
  await audit(tx, { orgId, action: 'service_account.delete', targetType: 'service_account', targetId: id });
}

export type ApiKeyOwner = { userId: string } | { serviceAccountId: string } | { admin: true };

/**
 * The account a new key is made by: the signed-in person, or — for a key made with an
 * admin key — the person that key was made by, so that a chain of keys dies with them too.
 */
async function creatorOf(tx: Tx): Promise<string | null> {
  if (tx.actor.type === 'user') return tx.actor.id;
  if (tx.actor.type === 'api_key' && tx.actor.id) {
    const parent = await tx.trx('api_keys').where({ id: tx.actor.id }).first<{ created_by: string | null } | undefined>('created_by');
    return parent?.created_by ?? null;
  }
  return null;
}

/**
 * Creates an API key; the secret is shown once, only its hash is kept. An admin key must
 * be made by (or through a key of) an admin of the organization: it lives as long as their
 * admin power (admin-keys.ts), and `expiresAt`, when given, ends it sooner.
 */
export async function createApiKey(tx: Tx, orgId: string, owner: ApiKeyOwner, label = '', opts: { expiresAt?: Date | null; now?: Date } = {}): Promise<{ id: string; key: string }> {
  const key = newSecret('obkey');
  const expiresAt = opts.expiresAt ?? null;
  if (expiresAt && expiresAt.getTime() <= (opts.now ?? new Date()).getTime()) throw invalid('expiresAt must be in the future', { expiresAt: expiresAt.toISOString() });
  const createdBy = await creatorOf(tx);
  const row: Record<string, unknown> = { id: newId(), org_id: orgId, label, token_hash: hashSecret(key), created_by: createdBy, expires_at: expiresAt };
  if ('userId' in owner) Object.assign(row, { user_id: owner.userId, kind: 'user' });
  else if ('serviceAccountId' in owner) {
    const sa = await tx.trx('service_accounts').where({ id: owner.serviceAccountId, org_id: orgId }).whereNull('deleted_at').first('id');
    if (!sa) throw notFound('service account', owner.serviceAccountId);
    Object.assign(row, { service_account_id: owner.serviceAccountId, kind: 'service' });
  } else {
    if (!(await adminKeyCreatorActs(tx.trx, orgId, createdBy))) throw forbidden('an admin API key is made by an active admin of its organization (it lives as long as their admin power)');
    Object.assign(row, { kind: 'admin' });
  }
  await tx.trx('api_keys').insert(row);
  await audit(tx, { orgId, action: 'api_key.create', targetType: 'api_key', targetId: row.id as string, after: { kind: row.kind, label, expiresAt: expiresAt?.toISOString() ?? null } });
  return { id: row.id as string, key };
}

export async function revokeApiKey(tx: Tx, orgId: string, id: string): Promise<void> {
  const n = await tx.trx('api_keys').where({ id, org_id: orgId }).whereNull('revoked_at').update({ revoked_at: tx.trx.fn.now() });
  if (!n) throw notFound('API key', id);
  await audit(tx, { orgId, action: 'api_key.revoke', targetType: 'api_key', targetId: id });
}

export interface ApiKeyPrincipal {
  keyId: string;
  orgId: string | null;
  kind: 'user' | 'service' | 'admin';
  userId: string | null;
  serviceAccountId: string | null;
}

/**
 * The key's principal, or null when it is unknown, revoked, expired, or an admin key whose
 * creator no longer holds admin power in its organization (admin-keys.ts).
 */
export async function authenticateApiKey(conn: Conn, key: string, now: Date = new Date()): Promise<ApiKeyPrincipal | null> {
  const digest = hashSecret(key);
  const row = await conn('api_keys').where({ token_hash: digest }).whereNull('revoked_at').first();
  if (!row || !sameDigest(row.token_hash, digest)) return null;
  if (row.expires_at && new Date(row.expires_at).getTime() <= now.getTime()) return null;
  if (row.kind === 'admin' && !(row.org_id && (await adminKeyCreatorActs(conn, row.org_id, row.created_by)))) return null;
  await touchLastUsed(conn, 'api_keys', row.id, row.last_used_at);
  return { keyId: row.id, orgId: row.org_id, kind: row.kind, userId: row.user_id, serviceAccountId: row.service_account_id };
}

/**
 * A run logged with a service account's key may name a person (WANDB_USERNAME or
 * WANDB_USER_EMAIL) only when that person is in the service account's team (SPEC §1).
 */
export async function attributableUser(conn: Conn, serviceAccountId: string, userNameOrEmail: string): Promise<string | null> {
  const sa = await conn('service_accounts').where({ id: serviceAccountId }).whereNull('deleted_at').first('team_id', 'org_id');
  if (!sa?.team_id) return null;
  const key = identityKey(userNameOrEmail);
  const row = await conn('team_members as tm')
    .join('users as u', 'u.id', 'tm.user_id')
    .join('memberships as m', function () {
      this.on('m.user_id', 'u.id').andOn('m.org_id', conn.raw('?', [sa.org_id]));
    })
    .where('tm.team_id', sa.team_id)
    .where('m.status', 'active')
    .where((w) => w.where('u.user_name_key', key).orWhere('u.email_key', key))
    .first('u.id');
  return row?.id ?? null;
}
