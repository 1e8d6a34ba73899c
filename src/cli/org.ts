import { parseArgs } from 'node:util';
import { runInTransaction } from '../domain/context.ts';
import { challengeName, challengeValue } from '../domain/domain-verification.ts';
import { claimDomain } from '../domain/domains.ts';
import { createAccount, findAccountByEmail } from '../domain/accounts.ts';
import { addMember } from '../domain/memberships.ts';
import { claimFirstSystemAdmin } from '../domain/system-admins.ts';
import { createOrganization, findOrganization, listOrganizations } from '../domain/organizations.ts';
import type { DomainClaimRow, OrganizationRow } from '../domain/types.ts';
import { type CliContext, UsageError } from './context.ts';

export async function requireOrg(ctx: CliContext, ref: string | undefined): Promise<OrganizationRow> {
  if (!ref) throw new UsageError('--org <name> is required');
  const org = await findOrganization(ctx.db, ref);
  if (!org) throw new UsageError(`no organization named "${ref}"`);
  return org;
}

/** orgbridge org create <name> [--domain <d>]... [--admin <email>] */
export async function orgCreate(ctx: CliContext, argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { domain: { type: 'string', multiple: true }, admin: { type: 'string' } },
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length) throw new UsageError('usage: orgbridge org create <name> [--domain <d>]... [--admin <email>]');
  // One transaction: an organization is never created half-way (without its admin).
  // The operator names the admin: their record is linked to the account of that address
  // (made for it if none), and that account becomes system admin when the instance has none.
  const { refuse, pendingTtlDays } = ctx.config.domains;
  const claims: DomainClaimRow[] = [];
  const { org, systemAdmin } = await runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const created = await createOrganization(tx, { name });
    for (const d of values.domain ?? []) {
      const r = await claimDomain(tx, created.id, d, { refuse, pendingTtlDays });
      if (r.created) claims.push(r.claim);
    }
    let first = false;
    if (values.admin) {
      const account = (await findAccountByEmail(tx.trx, values.admin)) ?? (await createAccount(tx, { email: values.admin }));
      await addMember(tx, { orgId: created.id, person: { userName: values.admin, email: values.admin }, link: { accountId: account.id, by: 'operator' }, orgRole: 'admin', status: 'active' });
      first = await claimFirstSystemAdmin(tx, account.id);
    }
    return { org: created, systemAdmin: first };
  });
  const parts = [`created organization ${org.name} (${org.id})`];
  // Claims start pending: say how each one is verified.
  for (const c of claims) {
    parts.push(`domain ${c.domain} pending: publish TXT ${challengeName(c.domain)} "${challengeValue(c.challenge_token)}", or run: orgbridge domain approve ${c.domain}`);
  }
  if (values.admin) parts.push(`admin: ${values.admin}${systemAdmin ? ' (system admin: the instance had none)' : ''}`);
  return parts.join('\n');
}

/** orgbridge org list */
export async function orgList(ctx: CliContext, argv: string[]): Promise<string> {
  if (argv.length) throw new UsageError('usage: orgbridge org list');
  const orgs = await listOrganizations(ctx.db);
  if (!orgs.length) return 'no organizations';
  return orgs.map((o) => [o.id, o.name, `${o.members} members`, o.domains.join(',') || '-'].join('\t')).join('\n');
}
