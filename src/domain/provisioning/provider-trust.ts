import type { Conn } from '../../db/connect.ts';
import { emailDomain } from '../domains.ts';

// Which organizations a sign-in provider is trusted for, and which email domains it may
// assert (SPEC §5: "several providers per deployment, each trusted for all organizations
// or for those the operator lists"). On a deployment that serves several organizations,
// each usually brings its own IdP, and whoever administers that IdP can create any
// account in it, with any "verified" address and any groups. Without these limits one
// organization's IdP could capture sign-ins into another organization, link to another
// organization's people by email, and grant roles there through its groups claim.
//
// The decision is data, made from the configuration once (src/sso/trust.ts) and carried
// by every sign-in (SignInClaims.trust).

export interface ProviderTrust {
  /** 'oidc:<name>' or 'ldap': also the role_groups.source of the provider's groups. */
  source: string;
  /** Slugs of the organizations the provider is trusted for; null = every organization. */
  orgSlugs: string[] | null;
  /** Email domains the provider may assert, compared exactly; null = any domain. */
  domains: string[] | null;
}

/** A trust from configuration values; lists are lower-cased, an absent list means "all". */
export function providerTrust(source: string, limits: { orgs?: string[] | null; domains?: string[] | null } = {}): ProviderTrust {
  const lower = (l: string[] | null | undefined) => (l ? [...new Set(l.map((v) => v.trim().toLowerCase()))] : null);
  return { source, orgSlugs: lower(limits.orgs), domains: lower(limits.domains) };
}

/** Whether the provider may act for this organization: capture, link, apply group claims. */
export function trustsOrg(trust: ProviderTrust, org: { slug: string }): boolean {
  return trust.orgSlugs === null || trust.orgSlugs.includes(org.slug.toLowerCase());
}

/**
 * Whether the provider may vouch for this address. Exact domain, as for domain capture:
 * trusting acme.example is not trusting sub.acme.example.
 */
export function mayAssertEmail(trust: ProviderTrust, email: string): boolean {
  if (trust.domains === null) return true;
  const domain = emailDomain(email);
  return domain !== null && trust.domains.includes(domain);
}

/**
 * The verified address as the provider may assert it: outside its domains it counts as
 * unverified (null), so it is never used for linking or domain capture.
 */
export function assertedEmail(trust: ProviderTrust, verifiedEmail: string | null): string | null {
  return verifiedEmail !== null && mayAssertEmail(trust, verifiedEmail) ? verifiedEmail : null;
}

/** Of these organizations, the ids of those that trust the provider (one query, none when all do). */
export async function orgsTrusting(conn: Conn, trust: ProviderTrust, orgIds: string[]): Promise<Set<string>> {
  if (trust.orgSlugs === null || orgIds.length === 0) return new Set(trust.orgSlugs === null ? orgIds : []);
  const ids = (await conn('organizations').whereIn('id', orgIds).whereIn('slug', trust.orgSlugs).pluck('id')) as string[];
  return new Set(ids);
}
