import type { Conn } from '../db/connect.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { conflict, invalid, isUniqueViolation, notFound } from './errors.ts';
import type { OrganizationRow } from './types.ts';

// A DNS name: labels of letters, digits and inner hyphens, at least two labels.
export const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export function normalizeDomain(input: string): string {
  const d = input.trim().toLowerCase().replace(/\.$/, '');
  if (!DOMAIN_NAME.test(d)) throw invalid(`"${input}" is not a domain name`, { domain: input });
  return d;
}

/**
 * The domain part of an address, compared exactly: x@sub.acme.example is not
 * acme.example, nor is x@acme.example.evil. Returns null for anything that is not a
 * plain addr-spec with one @.
 */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at <= 0 || email.indexOf('@') !== at) return null;
  const domain = email.slice(at + 1).trim().toLowerCase();
  return DOMAIN_NAME.test(domain) ? domain : null;
}

export async function claimDomain(tx: Tx, orgId: string, input: string): Promise<string> {
  const domain = normalizeDomain(input);
  const owner = await tx.trx('org_domains').where({ domain }).first('org_id');
  if (owner) {
    if (owner.org_id === orgId) return domain;
    throw conflict(`the domain ${domain} is already claimed by another organization`, { domain });
  }
  try {
    await tx.trx('org_domains').insert({ domain, org_id: orgId });
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw conflict(`the domain ${domain} is already claimed by another organization`, { domain });
    throw err;
  }
  await audit(tx, { orgId, action: 'org.domain.claim', targetType: 'domain', targetId: domain, after: { domain } });
  return domain;
}

export async function releaseDomain(tx: Tx, orgId: string, input: string): Promise<void> {
  const domain = normalizeDomain(input);
  // Counted through returning(): PGlite's driver answers a bare delete with a result object, not a count.
  const gone = await tx.trx('org_domains').where({ domain, org_id: orgId }).delete().returning('domain');
  if (gone.length === 0) throw notFound('domain', domain);
  await audit(tx, { orgId, action: 'org.domain.release', targetType: 'domain', targetId: domain, before: { domain } });
}

export async function listDomains(conn: Conn, orgId: string): Promise<string[]> {
  return (await conn('org_domains').where({ org_id: orgId }).orderBy('domain').pluck('domain')) as string[];
}

/** The organization that claimed this address's exact domain, if any. */
export async function findOrgByEmailDomain(conn: Conn, email: string): Promise<OrganizationRow | undefined> {
  const domain = emailDomain(email);
  if (!domain) return undefined;
  return conn('organizations as o')
    .join('org_domains as d', 'd.org_id', 'o.id')
    .where('d.domain', domain)
    .first<OrganizationRow | undefined>('o.*');
}
