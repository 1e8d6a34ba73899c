import type { Conn } from '../db/connect.ts';
import { adminKeyCreatorActs, lockAdminKeyMaker } from './admin-keys.ts';
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
  await tx.trx('service_account_keys').where({ service_account_id: id }).whereNull('revoked_at').update({ revoked_at: tx.trx.fn.now() });
  await audit(tx, { orgId, action: 'service_account.delete', targetType: 'service_account', targetId: id });
}

// A service account's keys are not these: see service-account-keys.ts.
export type ApiKeyOwner = { userId: string } | { admin: true };

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
  else {
    if (!(await lockAdminKeyMaker(tx, orgId, createdBy))) throw forbidden('an admin API key is made by an active admin of its organization (it lives as long as their admin power)');
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
 * WANDB_USER_EMAIL) only when that person is an active member of the service account's
 * team (SPEC §1; seeds/001 "Team service account behavior"); for an account owned by the
 * organization, an active member of the organization. Returns the member record.
 */
export async function attributableUser(conn: Conn, serviceAccountId: string, userNameOrEmail: string): Promise<string | null> {
  const sa = await conn('service_accounts').where({ id: serviceAccountId }).whereNull('deleted_at').first('team_id', 'org_id');
  if (!sa) return null;
  const key = identityKey(userNameOrEmail);
  const row = await conn('users as u')
    .join('memberships as m', function () {
      this.on('m.user_id', 'u.id').andOn('m.org_id', 'u.org_id');
    })
    .where('u.org_id', sa.org_id)
    .where('m.status', 'active')
    .where((w) => w.where('u.user_name_key', key).orWhere('u.email_key', key))
    .modify((q) => {
      if (sa.team_id) q.whereExists(conn('team_members as tm').whereRaw('tm.user_id = u.id').where('tm.team_id', sa.team_id));
    })
    .orderByRaw('(u.user_name_key = ?) desc', [key])
    .first('u.id');
  return row?.id ?? null;
}

export interface ServiceAccountView extends ServiceAccountRow {
  team_name: string | null;
}

/** The organization's live service accounts, with their team's name (org-owned: null). */
export async function listServiceAccounts(conn: Conn, orgId: string, teamId?: string): Promise<ServiceAccountView[]> {
  return (await conn('service_accounts as s')
    .leftJoin('teams as t', 't.id', 's.team_id')
    .where('s.org_id', orgId)
    .whereNull('s.deleted_at')
    .modify((q) => { if (teamId) q.where('s.team_id', teamId); })
    .orderBy('s.created_at')
    .select('s.*', 't.name as team_name')) as ServiceAccountView[];
}

export async function getServiceAccount(conn: Conn, orgId: string, id: string): Promise<ServiceAccountRow> {
  const row = await conn('service_accounts').where({ id, org_id: orgId }).whereNull('deleted_at').first<ServiceAccountRow | undefined>();
  if (!row) throw notFound('service account', id);
  return row;
}
