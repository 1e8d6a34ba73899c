import { parseArgs } from 'node:util';
import { runInTransaction } from '../domain/context.ts';
import { challengeName, challengeValue } from '../domain/domain-verification.ts';
import { claimDomain } from '../domain/domains.ts';
import { addMember } from '../domain/memberships.ts';
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
  const { refuse, pendingTtlDays } = ctx.config.domains;
  const claims: DomainClaimRow[] = [];
  const org = await runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const created = await createOrganization(tx, { name });
    for (const d of values.domain ?? []) {
      const r = await claimDomain(tx, created.id, d, { refuse, pendingTtlDays });
      if (r.created) claims.push(r.claim);
    }
    if (values.admin) {
      await addMember(tx, { orgId: created.id, person: { userName: values.admin, email: values.admin }, orgRole: 'admin', status: 'active' });
    }
    return created;
  });
  const parts = [`created organization ${org.name} (${org.id})`];
  // Claims start pending: say how each one is verified.
  for (const c of claims) {
    parts.push(`domain ${c.domain} pending: publish TXT ${challengeName(c.domain)} "${challengeValue(c.challenge_token)}", or run: orgbridge domain approve ${c.domain}`);
  }
  if (values.admin) parts.push(`admin: ${values.admin}`);
  return parts.join('\n');
}

/** orgbridge org list */
export async function orgList(ctx: CliContext, argv: string[]): Promise<string> {
  if (argv.length) throw new UsageError('usage: orgbridge org list');
  const orgs = await listOrganizations(ctx.db);
  if (!orgs.length) return 'no organizations';
  return orgs.map((o) => [o.id, o.name, `${o.members} members`, o.domains.join(',') || '-'].join('\t')).join('\n');
}
