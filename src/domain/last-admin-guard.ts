import type { Knex } from 'knex';
import type { Tx } from './context.ts';
import { DomainError } from './errors.ts';

// SPEC §3: an organization is never left without an active admin, the instance never
// without a system admin. Every command that can take admin power away runs its change
// through guardOrgAdmins / guardSystemAdmins — the one place this rule lives.
//
// How it holds under concurrency: the organization row (or the instance row) is locked
// FOR UPDATE before the change and held until commit. Two transactions that each remove
// one of the last two admins therefore run one after the other; under READ COMMITTED the
// second one's count (a new statement, a new snapshot) sees the first one's committed
// change and refuses. The lock is per organization, so other organizations never wait.

export const LAST_ADMIN_RULE = 'last-admin rule';

export interface AdminChangeAttempt {
  action: string;
  targetType: string;
  targetId: string | null;
}

/** Takes the organization's admin lock. Idempotent within a transaction. */
export async function lockOrganization(trx: Knex.Transaction, orgId: string): Promise<void> {
  const row = await trx('organizations').where({ id: orgId }).forUpdate().first('id');
  if (!row) throw new DomainError('not_found', `organization ${orgId} not found`, { what: 'organization', id: orgId });
}

export async function countActiveAdmins(trx: Knex.Transaction, orgId: string): Promise<number> {
  const row = await trx('memberships')
    .where({ org_id: orgId, org_role: 'admin', status: 'active' })
    .count<{ n: number }>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/**
 * Locks the organization, applies `mutate`, and refuses (rolling everything back) when
 * no active admin is left. The refusal is a DomainError('last_admin') that
 * runInTransaction records in the audit log as refused.
 */
export async function guardOrgAdmins<T>(
  tx: Tx,
  orgId: string,
  attempt: AdminChangeAttempt,
  mutate: () => Promise<T>,
): Promise<T> {
  await lockOrganization(tx.trx, orgId);
  const result = await mutate();
  if ((await countActiveAdmins(tx.trx, orgId)) === 0) {
    throw new DomainError(
      'last_admin',
      `Refused by the ${LAST_ADMIN_RULE}: an organization must keep at least one active admin; this change would leave none.`,
      { orgId, rule: LAST_ADMIN_RULE },
      { orgId, ...attempt },
    );
  }
  return result;
}

export async function lockInstance(trx: Knex.Transaction): Promise<void> {
  await trx('instance').where({ id: 1 }).forUpdate().first('id');
}

export async function countSystemAdmins(trx: Knex.Transaction): Promise<number> {
  const row = await trx('accounts').where({ system_admin: true }).count<{ n: number }>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** The same rule for the instance: at least one system admin exists at all times. */
export async function guardSystemAdmins<T>(tx: Tx, attempt: AdminChangeAttempt, mutate: () => Promise<T>): Promise<T> {
  await lockInstance(tx.trx);
  const before = await countSystemAdmins(tx.trx);
  const result = await mutate();
  // An instance that never had a system admin (fresh deployment) is not made worse.
  if (before > 0 && (await countSystemAdmins(tx.trx)) === 0) {
    throw new DomainError(
      'last_admin',
      `Refused by the ${LAST_ADMIN_RULE}: the instance must keep at least one system admin; this change would leave none.`,
      { rule: LAST_ADMIN_RULE, scope: 'instance' },
      { orgId: null, ...attempt },
    );
  }
  return result;
}
