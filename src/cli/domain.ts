import { parseArgs } from 'node:util';
import { runInTransaction } from '../domain/context.ts';
import { approveDomain, challengeName, challengeValue } from '../domain/domain-verification.ts';
import { listAllDomainClaims, normalizeDomain, type DomainClaimWithOrg } from '../domain/domains.ts';
import { DomainError, isDomainError } from '../domain/errors.ts';
import { type CliContext, UsageError } from './context.ts';
import { requireOrg } from './org.ts';

// The operator's side of domain verification: approve a claim where the domain is not in
// public DNS (or its owner cannot publish a TXT record), and see every claim.

function domainArg(input: string): string {
  try {
    return normalizeDomain(input);
  } catch (err: unknown) {
    if (isDomainError(err, 'invalid')) throw new UsageError(err.message);
    throw err;
  }
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : '-');

function describe(c: DomainClaimWithOrg): string {
  if (c.status === 'verified') return `verified by ${c.verified_by} ${iso(c.verified_at)}`;
  return `pending until ${iso(c.expires_at)}: TXT ${challengeName(c.domain)} "${challengeValue(c.challenge_token)}"`;
}

/** orgbridge domain approve <domain> [--org <name>] */
export async function domainApprove(ctx: CliContext, argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { org: { type: 'string' } } });
  const [input, ...extra] = positionals;
  if (!input || extra.length) throw new UsageError('usage: orgbridge domain approve <domain> [--org <name>]');
  const domain = domainArg(input);
  const org = values.org ? await requireOrg(ctx, values.org) : null;
  const claims = await listAllDomainClaims(ctx.db, { domain });
  const verified = claims.find((c) => c.status === 'verified');
  let claim: DomainClaimWithOrg | undefined;
  if (org) {
    claim = claims.find((c) => c.org_id === org.id);
    if (!claim) throw new DomainError('not_found', `${org.name} has not claimed ${domain}`, { domain });
  } else if (claims.length === 0) {
    throw new DomainError('not_found', `no organization has claimed ${domain}`, { domain });
  } else if (verified) {
    claim = verified;
  } else if (claims.length > 1) {
    // Several organizations may claim a domain pending; the operator says whose it is.
    throw new UsageError(`${domain} is claimed by ${claims.length} organizations (${claims.map((c) => c.org_name).join(', ')}): name one with --org`);
  } else {
    claim = claims[0]!;
  }
  if (claim.status === 'verified') return `${domain} is already verified for ${claim.org_name} (by ${claim.verified_by})`;
  const winner = claim;
  await runInTransaction(ctx.db, ctx.actor, (tx) => approveDomain(tx, winner.org_id, domain));
  const removed = claims.length - 1;
  return `approved ${domain} for ${winner.org_name}${removed ? `; removed ${removed} other organization(s)' pending claim(s) on it` : ''}`;
}

/** orgbridge domain list [--org <name>] */
export async function domainList(ctx: CliContext, argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { org: { type: 'string' } } });
  if (positionals.length) throw new UsageError('usage: orgbridge domain list [--org <name>]');
  const org = values.org ? await requireOrg(ctx, values.org) : null;
  const claims = await listAllDomainClaims(ctx.db, org ? { orgId: org.id } : {});
  if (!claims.length) return 'no claimed domains';
  return claims.map((c) => [c.domain, c.org_name, c.status, describe(c)].join('\t')).join('\n');
}
