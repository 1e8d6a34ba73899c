import type { Db } from '../db/connect.ts';
import type { TxtResolver } from '../lib/txt-resolver.ts';
import { audit, writeAuditRow } from './audit.ts';
import { runInTransaction, systemActor, type Actor, type Tx } from './context.ts';
import { normalizeDomain } from './domain-names.ts';
import { getDomainClaim, verifiedElsewhere } from './domains.ts';
import { conflict, DomainError, isDomainError, isUniqueViolation, notFound } from './errors.ts';
import type { DomainClaimRow, DomainVerifiedBy } from './types.ts';

// Verifying a claimed domain (SPEC §1 "Claimed domain"): by a DNS TXT record that only the
// domain's owner can publish, or by an operator's approval where there is no public DNS.
// The first organization to verify a domain holds it; the other organizations' pending
// claims on it are removed in the same transaction, each with an audit row in that
// organization's own log (written as the system, so that it names nobody from the winner).

export const CHALLENGE_LABEL = '_orgbridge-challenge';
export const challengeName = (domain: string): string => `${CHALLENGE_LABEL}.${domain}`;
export const challengeValue = (token: string): string => `orgbridge-verification=${token}`;

export type ChallengeCheck = { found: true } | { found: false; reason: string };

/** What an unanswered lookup means to the admin; every DNS failure is "not verified yet". */
function lookupFailure(name: string, code: string): string {
  switch (code) {
    case 'ENODATA':
      return `no TXT record at ${name} yet`;
    case 'ENOTFOUND':
      return `${name} does not exist in DNS yet`;
    case 'ETIMEOUT':
      return `the DNS servers did not answer for ${name} in time`;
    case 'ECONNREFUSED':
      return `the DNS servers refused the query for ${name}`;
    case 'ESERVFAIL':
      return `the DNS servers failed to answer for ${name}`;
    default:
      return `the DNS lookup of ${name} failed (${code})`;
  }
}

/**
 * Looks for the claim's TXT record. A DNS error (ENODATA, ENOTFOUND, ETIMEOUT,
 * ECONNREFUSED, …: node:dns rejects with a string code) is an answer, "not found", never
 * a failure of the request; anything else is a bug and is thrown.
 */
export async function lookUpChallenge(resolver: TxtResolver, domain: string, token: string): Promise<ChallengeCheck> {
  const name = challengeName(domain);
  let records: string[][];
  try {
    records = await resolver.resolveTxt(name);
  } catch (err: unknown) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string') throw err;
    return { found: false, reason: lookupFailure(name, code) };
  }
  const wanted = challengeValue(token);
  // A long record arrives in chunks: the value is their concatenation (RFC 7208 §3.3 does the same).
  if (records.some((chunks) => chunks.join('').trim() === wanted)) return { found: true };
  return { found: false, reason: records.length ? `the TXT records at ${name} do not include ${wanted}` : `no TXT record at ${name} yet` };
}

/**
 * Marks the organization's claim verified and removes every other organization's
 * pending claim on the domain. The domain's claim rows are locked first, in one order,
 * so that two organizations verifying at once serialise: the second finds the first's
 * verified claim and is refused (409). `token`, when given, is the challenge that was
 * found in DNS: a claim released and claimed again meanwhile has another one.
 */
async function markVerified(tx: Tx, orgId: string, domain: string, by: DomainVerifiedBy, now: Date, token?: string): Promise<DomainClaimRow> {
  const claims = (await tx.trx('org_domains').where({ domain }).orderBy('org_id').forUpdate().select('*')) as DomainClaimRow[];
  const own = claims.find((c) => c.org_id === orgId);
  if (claims.some((c) => c.status === 'verified' && c.org_id !== orgId)) throw verifiedElsewhere(domain);
  if (!own) throw notFound('domain', domain);
  if (own.status === 'verified') return own;
  if (token !== undefined && own.challenge_token !== token) throw conflict(`the claim on ${domain} changed while it was being verified; verify it again`, { domain });

  let verified: DomainClaimRow;
  try {
    [verified] = (await tx
      .trx('org_domains')
      .where({ domain, org_id: orgId })
      .update({ status: 'verified', verified_at: now, verified_by: by, expires_at: null, ...(by === 'dns' ? { last_checked_at: now } : {}) })
      .returning('*')) as [DomainClaimRow];
  } catch (err: unknown) {
    // The partial unique index: only reachable if a claim became verified without the lock above.
    if (isUniqueViolation(err)) throw verifiedElsewhere(domain);
    throw err;
  }
  for (const other of claims.filter((c) => c.org_id !== orgId)) {
    await tx.trx('org_domains').where({ domain, org_id: other.org_id }).delete();
    await writeAuditRow(tx.trx, systemActor, {
      orgId: other.org_id,
      action: 'org.domain.supersede',
      targetType: 'domain',
      targetId: domain,
      before: { domain, status: other.status },
      reason: 'another organization verified this domain first',
    });
  }
  await audit(tx, { orgId, action: 'org.domain.verify', targetType: 'domain', targetId: domain, after: { domain, status: 'verified', verifiedBy: by } });
  return verified;
}

export interface VerifyOptions {
  resolver: TxtResolver;
  now?: Date;
}

export interface VerifyResult {
  claim: DomainClaimRow;
  /** The lookup made now: null when the claim was verified already and none was needed. */
  check: ChallengeCheck | null;
}

/**
 * Checks the claim's TXT record now (admin API, maintenance). Not found is an answer, not
 * an error: the claim stays pending and its last_checked_at moves. Refused: an unknown
 * claim (404), an expired one (410), a domain another organization verified (409).
 * The lookup runs outside any transaction, so that no lock waits on the network.
 */
export async function verifyDomain(db: Db, actor: Actor, orgId: string, input: string, opts: VerifyOptions): Promise<VerifyResult> {
  const domain = normalizeDomain(input);
  const now = opts.now ?? new Date();
  const claim = await getDomainClaim(db, orgId, domain);
  if (claim.status === 'verified') return { claim, check: null };
  if (claim.expires_at && new Date(claim.expires_at).getTime() <= now.getTime()) {
    throw new DomainError('expired', `the claim on ${domain} expired; claim it again for a new challenge`, { domain });
  }
  const winner = await db('org_domains').where({ domain, status: 'verified' }).first('org_id');
  if (winner) throw verifiedElsewhere(domain);

  const check = await lookUpChallenge(opts.resolver, domain, claim.challenge_token);
  if (check.found) {
    const verified = await runInTransaction(db, actor, (tx) => markVerified(tx, orgId, domain, 'dns', now, claim.challenge_token));
    return { claim: verified, check };
  }
  // Bookkeeping, not a change to the directory: no audit row (maintenance would write one
  // per pending claim every few minutes).
  const [checked] = (await db('org_domains').where({ domain, org_id: orgId, status: 'pending' }).update({ last_checked_at: now }).returning('*')) as DomainClaimRow[];
  return { claim: checked ?? claim, check };
}

/** An operator's approval, for deployments whose domains are not in public DNS (CLI). */
export async function approveDomain(tx: Tx, orgId: string, input: string, now = new Date()): Promise<DomainClaimRow> {
  return markVerified(tx, orgId, normalizeDomain(input), 'operator', now);
}

/** Deletes pending claims whose time is up, one audit row each (maintenance). */
export async function expirePendingDomains(tx: Tx, now: Date): Promise<number> {
  const gone = (await tx.trx('org_domains').where({ status: 'pending' }).where('expires_at', '<=', now).delete().returning(['domain', 'org_id', 'expires_at'])) as Pick<
    DomainClaimRow,
    'domain' | 'org_id' | 'expires_at'
  >[];
  for (const g of gone) {
    await audit(tx, { orgId: g.org_id, action: 'org.domain.expire', targetType: 'domain', targetId: g.domain, before: { domain: g.domain, status: 'pending', expiresAt: g.expires_at } });
  }
  return gone.length;
}

/** Every instance runs maintenance; a claim checked this recently by any of them waits. */
const RECHECK_AFTER_MS = 5 * 60_000;
/**
 * DNS lookups per maintenance run, one after another: with unreachable DNS servers each
 * costs about 3 × DNS_TIMEOUT_MS, so 50 stay well inside the 10-minute interval.
 */
const CHECKS_PER_RUN = 50;

/**
 * Looks up the TXT records of pending claims (maintenance), least recently checked first.
 * Returns how many became verified. A claim released, verified elsewhere or expired
 * meanwhile is skipped.
 */
export async function checkPendingDomains(db: Db, resolver: TxtResolver, now: Date, limit = CHECKS_PER_RUN): Promise<number> {
  const due = (await db('org_domains as d')
    .where('d.status', 'pending')
    .where('d.expires_at', '>', now)
    .where((q) => q.whereNull('d.last_checked_at').orWhere('d.last_checked_at', '<=', new Date(now.getTime() - RECHECK_AFTER_MS)))
    .whereNotExists((q) => q.select(db.raw('1')).from('org_domains as v').whereRaw('v.domain = d.domain').where('v.status', 'verified'))
    .orderByRaw('d.last_checked_at asc nulls first, d.created_at asc')
    .limit(limit)
    .select('d.org_id', 'd.domain')) as Pick<DomainClaimRow, 'org_id' | 'domain'>[];
  let verified = 0;
  for (const c of due) {
    try {
      const r = await verifyDomain(db, systemActor, c.org_id, c.domain, { resolver, now });
      if (r.check?.found) verified++;
    } catch (err: unknown) {
      if (!isDomainError(err)) throw err;
    }
  }
  return verified;
}
