import type { Db } from '../../db/connect.ts';
import { hashSecret, newSecret, sameDigest } from '../../lib/secrets.ts';
import { createAccount } from '../accounts.ts';
import { audit } from '../audit.ts';
import { runInTransaction, type Actor } from '../context.ts';
import { approveDomain } from '../domain-verification.ts';
import { claimDomain } from '../domains.ts';
import { DomainError } from '../errors.ts';
import { lockInstance } from '../last-admin-guard.ts';
import { addMember } from '../memberships.ts';
import { createOrganization } from '../organizations.ts';
import { claimFirstSystemAdmin } from '../system-admins.ts';
import type { OrganizationRow } from '../types.ts';
import { deploymentIsEmpty } from './system-admin.ts';

// First run (issue 12): on an empty deployment (no organization, no account) the server
// prints a one-time setup link, the way Jenkins and Grafana do. Whoever holds it is the
// operator: the setup creates the first organization, its domain (approved, as the CLI's
// `domain approve` would), and its admin, who becomes system admin and is signed in. The
// link works once, expires, and stops working as soon as the deployment is not empty.

export const SETUP_TOKEN_TTL_MS = 24 * 3600_000;
const actor: Actor = { type: 'system', id: null, label: 'first-run setup' };

/** A new setup token while the deployment is empty (replacing any earlier one), else null. */
export async function issueSetupToken(db: Db, now: Date): Promise<string | null> {
  return runInTransaction(db, actor, async (tx) => {
    await lockInstance(tx.trx);
    if (!(await deploymentIsEmpty(tx))) return null;
    const token = newSecret('obsetup');
    await tx.trx('instance').where({ id: 1 }).update({ setup_token_hash: hashSecret(token), setup_token_expires_at: new Date(now.getTime() + SETUP_TOKEN_TTL_MS) });
    return token;
  });
}

export interface SetupInput {
  orgName: string;
  domain: string | null;
  adminEmail: string;
  adminName: string | null;
}

const spent = () => new DomainError('expired', 'this setup link is invalid, expired or already used');

async function checkToken(tx: Parameters<Parameters<typeof runInTransaction>[2]>[0], token: string, now: Date): Promise<void> {
  const row = (await tx.trx('instance').where({ id: 1 }).first('setup_token_hash', 'setup_token_expires_at')) as { setup_token_hash: string | null; setup_token_expires_at: Date | null } | undefined;
  if (!row?.setup_token_hash || !row.setup_token_expires_at || !sameDigest(row.setup_token_hash, hashSecret(token))) throw spent();
  if (new Date(row.setup_token_expires_at).getTime() <= now.getTime() || !(await deploymentIsEmpty(tx))) throw spent();
}

/** Whether the link can still be used (the GET page asks this; it changes nothing). */
export async function setupTokenUsable(db: Db, token: string, now: Date): Promise<boolean> {
  return runInTransaction(db, actor, (tx) => checkToken(tx, token, now)).then(
    () => true,
    (err: unknown) => {
      if (err instanceof DomainError && err.code === 'expired') return false;
      throw err;
    },
  );
}

/** Uses the link once: the first organization, its admin (system admin, linked by the operator). */
export async function completeSetup(db: Db, token: string, input: SetupInput, now: Date): Promise<{ accountId: string; org: OrganizationRow }> {
  return runInTransaction(db, actor, async (tx) => {
    await lockInstance(tx.trx);
    await checkToken(tx, token, now);
    const org = await createOrganization(tx, { name: input.orgName });
    if (input.domain) {
      await claimDomain(tx, org.id, input.domain, { now });
      await approveDomain(tx, org.id, input.domain, now);
    }
    const account = await createAccount(tx, { email: input.adminEmail, displayName: input.adminName });
    await addMember(tx, {
      orgId: org.id,
      person: { userName: input.adminEmail, email: input.adminEmail, displayName: input.adminName },
      link: { accountId: account.id, by: 'operator' },
      orgRole: 'admin',
      status: 'active',
    });
    await claimFirstSystemAdmin(tx, account.id);
    await tx.trx('instance').where({ id: 1 }).update({ setup_token_hash: null, setup_token_expires_at: null });
    await audit(tx, { orgId: org.id, action: 'instance.setup', targetType: 'account', targetId: account.id, after: { organization: org.name, domain: input.domain, admin: input.adminEmail } });
    return { accountId: account.id, org };
  });
}
