import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { notFound } from './errors.ts';
import { countSystemAdmins, guardSystemAdmins, lockInstance } from './last-admin-guard.ts';

/**
 * The first person to sign in on a fresh deployment becomes system admin (SPEC §1).
 * The instance lock makes "first" exact even when two people sign in at once.
 */
export async function claimFirstSystemAdmin(tx: Tx, userId: string): Promise<boolean> {
  await lockInstance(tx.trx);
  if ((await countSystemAdmins(tx.trx)) > 0) return false;
  await tx.trx('users').where({ id: userId }).update({ system_admin: true });
  await audit(tx, { orgId: null, action: 'system_admin.first', targetType: 'user', targetId: userId, after: { systemAdmin: true } });
  return true;
}

export async function setSystemAdmin(tx: Tx, userId: string, on: boolean): Promise<void> {
  await guardSystemAdmins(tx, { action: on ? 'system_admin.grant' : 'system_admin.revoke', targetType: 'user', targetId: userId }, async () => {
    const u = await tx.trx('users').where({ id: userId }).first('system_admin');
    if (!u) throw notFound('user', userId);
    if (u.system_admin === on) return;
    await tx.trx('users').where({ id: userId }).update({ system_admin: on });
    await audit(tx, { orgId: null, action: on ? 'system_admin.grant' : 'system_admin.revoke', targetType: 'user', targetId: userId, before: { systemAdmin: !on }, after: { systemAdmin: on } });
  });
}
