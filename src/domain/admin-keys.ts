import type { Conn } from '../db/connect.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';

// Admin API keys act as an organization admin (principal.ts apiKeyPrincipal), so each one
// borrows the admin power of the person who made it (`created_by`, their account; a key
// made with another key inherits that key's creator). It must not outlive that power
// (issue 14): the commands that take it away revoke the keys in the same transaction, and
// every authentication checks it again (adminKeyCreatorActs), for whatever no command saw.

/**
 * Revokes the admin keys made by the account linked to this member record, in its
 * organization, each with an audit row. Runs before the record changes (or goes).
 */
export async function revokeAdminKeysOfRecord(tx: Tx, orgId: string, recordId: string, reason: string): Promise<number> {
  const record = await tx.trx('users').where({ id: recordId, org_id: orgId }).first<{ account_id: string | null } | undefined>('account_id');
  if (!record?.account_id) return 0;
  const ids = (await tx.trx('api_keys')
    .where({ org_id: orgId, kind: 'admin', created_by: record.account_id })
    .whereNull('revoked_at')
    .update({ revoked_at: tx.trx.fn.now() })
    .returning('id')) as { id: string }[];
  for (const { id } of ids) {
    await audit(tx, { orgId, action: 'api_key.revoke', targetType: 'api_key', targetId: id, after: { reason, createdBy: record.account_id } });
  }
  return ids.length;
}

/**
 * Whether the creator of an admin key still holds admin power in the key's organization:
 * an active admin record there, linked to the creator's account. A key without a creator
 * (its account deleted) borrows no one's power and acts as no one.
 */
export async function adminKeyCreatorActs(conn: Conn, orgId: string, createdBy: string | null): Promise<boolean> {
  return (await adminKeyCreatorsActing(conn, [{ orgId, createdBy }])).has(`${orgId}:${createdBy}`);
}

/**
 * The same question for many keys in one statement (the decision API's batches): the set
 * of `${orgId}:${createdBy}` pairs whose creator holds admin power there.
 */
export async function adminKeyCreatorsActing(conn: Conn, keys: { orgId: string; createdBy: string | null }[]): Promise<Set<string>> {
  const pairs = keys.filter((k): k is { orgId: string; createdBy: string } => Boolean(k.createdBy));
  if (!pairs.length) return new Set();
  const rows = (await conn('users as u')
    .join('memberships as m', function () {
      this.on('m.user_id', 'u.id').andOn('m.org_id', 'u.org_id');
    })
    .where({ 'm.org_role': 'admin', 'm.status': 'active' })
    .whereIn(['u.org_id', 'u.account_id'], pairs.map((k) => [k.orgId, k.createdBy]))
    .select('u.org_id', 'u.account_id')) as { org_id: string; account_id: string }[];
  return new Set(rows.map((r) => `${r.org_id}:${r.account_id}`));
}

/**
 * For a key being made: whether its maker holds admin power, with the organization row
 * held (FOR SHARE) until the key commits. Every change that takes admin power away runs
 * under the last-admin guard, which locks that row FOR UPDATE (last-admin-guard.ts), so the
 * two take turns: either the key commits first and the demotion, deactivation or removal
 * then revokes it with the maker's other keys, or the maker is no longer admin when the
 * key asks and none is made. (Locking the membership row instead deadlocks with the guard:
 * the key's foreign key to the organization waits on the guard's lock.)
 */
export async function lockAdminKeyMaker(tx: Tx, orgId: string, createdBy: string | null): Promise<boolean> {
  if (!createdBy) return false;
  await tx.trx('organizations').where({ id: orgId }).forShare().first('id');
  return adminKeyCreatorActs(tx.trx, orgId, createdBy);
}
