import { audit } from './audit.ts';
import { createAccount, findAccountByEmail } from './accounts.ts';
import type { Tx } from './context.ts';
import { invalid, notFound } from './errors.ts';
import { countSystemAdmins, guardSystemAdmins, lockInstance } from './last-admin-guard.ts';
import type { AccountRow } from './types.ts';

// System admins are accounts (SPEC §1): the first sign-in on an empty deployment, or the
// person an operator names with the CLI. Never "the first sign-in while nobody is one":
// on a deployment that has organizations, that would hand the instance to whichever
// employee signs in first.

/**
 * Makes the account system admin when the instance has none yet. Callers decide when
 * that is allowed (an empty deployment's first sign-in, `org create --admin`); the
 * instance lock makes "first" exact even when two people sign in at once.
 */
export async function claimFirstSystemAdmin(tx: Tx, accountId: string): Promise<boolean> {
  await lockInstance(tx.trx);
  if ((await countSystemAdmins(tx.trx)) > 0) return false;
  await tx.trx('accounts').where({ id: accountId }).update({ system_admin: true });
  await audit(tx, { orgId: null, action: 'system_admin.first', targetType: 'account', targetId: accountId, after: { systemAdmin: true } });
  return true;
}

export async function setSystemAdmin(tx: Tx, accountId: string, on: boolean): Promise<void> {
  await guardSystemAdmins(tx, { action: on ? 'system_admin.grant' : 'system_admin.revoke', targetType: 'account', targetId: accountId }, async () => {
    const a = await tx.trx('accounts').where({ id: accountId }).first('system_admin');
    if (!a) throw notFound('account', accountId);
    if (a.system_admin === on) return;
    await tx.trx('accounts').where({ id: accountId }).update({ system_admin: on });
    await audit(tx, { orgId: null, action: on ? 'system_admin.grant' : 'system_admin.revoke', targetType: 'account', targetId: accountId, before: { systemAdmin: !on }, after: { systemAdmin: on } });
  });
}

/**
 * The operator's grant (`orgbridge system-admin grant <email>`): the account that holds
 * the address, or a new one for it, which the person's first sign-in with that verified
 * address then uses.
 */
export async function grantSystemAdminByEmail(tx: Tx, email: string): Promise<AccountRow> {
  const address = email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw invalid(`"${email}" is not an email address`);
  const account = (await findAccountByEmail(tx.trx, address)) ?? (await createAccount(tx, { email: address }));
  await setSystemAdmin(tx, account.id, true);
  return { ...account, system_admin: true };
}

export async function revokeSystemAdminByEmail(tx: Tx, email: string): Promise<void> {
  const account = await findAccountByEmail(tx.trx, email.trim());
  if (!account) throw notFound('account', email);
  await setSystemAdmin(tx, account.id, false);
}
