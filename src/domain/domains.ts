import { randomBytes } from 'node:crypto';
import type { Conn } from '../db/connect.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { emailDomain, normalizeDomain } from './domain-names.ts';
import { domainRefusal } from './domain-refusals.ts';
import { conflict, invalid, notFound } from './errors.ts';
import type { DomainClaimRow, OrganizationRow } from './types.ts';

// Claimed email domains (SPEC §1 "Claimed domain"): a claim starts pending and captures
// nobody until it is verified (domain-verification.ts). Several organizations may hold a
// pending claim on one domain; only one can hold it verified (see the migration
// 20261207_006 for why).

export { emailDomain, normalizeDomain };

/** config/default.json's domains.pendingTtlDays, for callers without a configuration (tests). */
export const DEFAULT_PENDING_TTL_DAYS = 7;
const DAY_MS = 86_400_000;

export interface ClaimOptions {
  now?: Date;
  /** The configuration's domains.pendingTtlDays. */
  pendingTtlDays?: number;
  /** The configuration's domains.refuse (DOMAIN_REFUSE). */
  refuse?: readonly string[];
}

export interface ClaimResult {
  claim: DomainClaimRow;
  /** false: the organization already held this claim, which is returned as it stands. */
  created: boolean;
}

export const verifiedElsewhere = (domain: string) =>
  conflict(`the domain ${domain} is already verified by another organization`, { domain });

/** 128 random bits, hex: survives every DNS console's copy and paste. */
const newChallengeToken = (): string => randomBytes(16).toString('hex');

export async function getDomainClaim(conn: Conn, orgId: string, domain: string): Promise<DomainClaimRow> {
  const claim = (await conn('org_domains').where({ domain, org_id: orgId }).first()) as DomainClaimRow | undefined;
  if (!claim) throw notFound('domain', domain);
  return claim;
}

/**
 * Claims a domain for an organization, pending until verified. Refused: what is not a
 * domain name, public suffixes, public email providers, the operator's refusals, and a
 * domain another organization has verified. A claim the organization already holds is
 * returned as it stands (created: false), whatever its status.
 */
export async function claimDomain(tx: Tx, orgId: string, input: string, opts: ClaimOptions = {}): Promise<ClaimResult> {
  const domain = normalizeDomain(input);
  const refusal = domainRefusal(domain, opts.refuse);
  if (refusal) throw invalid(refusal.message, { domain, reason: refusal.reason });
  const claims = (await tx.trx('org_domains').where({ domain })) as DomainClaimRow[];
  const own = claims.find((c) => c.org_id === orgId);
  if (own) return { claim: own, created: false };
  if (claims.some((c) => c.status === 'verified')) throw verifiedElsewhere(domain);

  const now = opts.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (opts.pendingTtlDays ?? DEFAULT_PENDING_TTL_DAYS) * DAY_MS);
  const [inserted] = (await tx
    .trx('org_domains')
    .insert({ domain, org_id: orgId, status: 'pending', challenge_token: newChallengeToken(), created_at: now, expires_at: expiresAt })
    // The same organization claiming twice at once: the first claim stands.
    .onConflict(['domain', 'org_id'])
    .ignore()
    .returning('*')) as DomainClaimRow[];
  if (!inserted) return { claim: await getDomainClaim(tx.trx, orgId, domain), created: false };
  await audit(tx, { orgId, action: 'org.domain.claim', targetType: 'domain', targetId: domain, after: { domain, status: 'pending', expiresAt } });
  return { claim: inserted, created: true };
}

/** Releases a claim, pending or verified. */
export async function releaseDomain(tx: Tx, orgId: string, input: string): Promise<void> {
  const domain = normalizeDomain(input);
  // Counted through returning(): PGlite's driver answers a bare delete with a result object, not a count.
  const gone = (await tx.trx('org_domains').where({ domain, org_id: orgId }).delete().returning(['domain', 'status'])) as Pick<DomainClaimRow, 'domain' | 'status'>[];
  if (gone.length === 0) throw notFound('domain', domain);
  await audit(tx, { orgId, action: 'org.domain.release', targetType: 'domain', targetId: domain, before: { domain, status: gone[0]!.status } });
}

/** The organization's claims, pending and verified. */
export async function listDomains(conn: Conn, orgId: string): Promise<DomainClaimRow[]> {
  return (await conn('org_domains').where({ org_id: orgId }).orderBy('domain')) as DomainClaimRow[];
}

export type DomainClaimWithOrg = DomainClaimRow & { org_name: string };

/** Claims across organizations, with the organization's name (the operator's view: CLI). */
export async function listAllDomainClaims(conn: Conn, filter: { domain?: string; orgId?: string } = {}): Promise<DomainClaimWithOrg[]> {
  return (await conn('org_domains as d')
    .join('organizations as o', 'o.id', 'd.org_id')
    .modify((q) => {
      if (filter.domain) q.where('d.domain', filter.domain);
      if (filter.orgId) q.where('d.org_id', filter.orgId);
    })
    .orderBy(['d.domain', 'o.name'])
    .select('d.*', 'o.name as org_name')) as DomainClaimWithOrg[];
}

/**
 * The organization that verified this address's exact domain, if any. Pending claims
 * capture nobody: anyone can claim a domain, only its owner can verify it.
 */
export async function findOrgByEmailDomain(conn: Conn, email: string): Promise<OrganizationRow | undefined> {
  const domain = emailDomain(email);
  if (!domain) return undefined;
  return conn('organizations as o')
    .join('org_domains as d', 'd.org_id', 'o.id')
    .where('d.domain', domain)
    .where('d.status', 'verified')
    .first<OrganizationRow | undefined>('o.*');
}
