import type { Config, LdapConfig, OidcProviderConfig } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import { providerTrust, type ProviderTrust } from '../domain/provisioning/provider-trust.ts';
import type { Logger } from '../lib/logger.ts';

// The configured sign-in providers as the domain sees them: a source (the role groups
// their groups apply to) and a trust (the organizations and email domains they may speak
// for). Built from the configuration, which is parsed once at start-up.

export interface SignInSource {
  /** 'oidc:<name>' or 'ldap' (role_groups.source). */
  source: string;
  /** For people: the provider's display name, and what it is. */
  label: string;
  trust: ProviderTrust;
}

export function oidcTrust(p: OidcProviderConfig): ProviderTrust {
  return providerTrust(`oidc:${p.name}`, { orgs: p.orgs, domains: p.domains });
}

export function ldapTrust(l: LdapConfig): ProviderTrust {
  return providerTrust('ldap', { orgs: l.orgs, domains: l.domains });
}

/** Every configured provider, OIDC ones first in OIDC_PROVIDERS order, then LDAP. */
export function signInSources(config: Pick<Config, 'oidc' | 'ldap'>): SignInSource[] {
  const out: SignInSource[] = config.oidc.map((p) => ({ source: `oidc:${p.name}`, label: `${p.displayName ?? p.name} (OIDC)`, trust: oidcTrust(p) }));
  if (config.ldap) out.push({ source: 'ldap', label: 'LDAP directory', trust: ldapTrust(config.ldap) });
  return out;
}

/**
 * What a signed-in session may reach, by the provider it signed in through: null for a
 * session no provider vouched for (break-glass, the operator's link), else that provider's
 * trust — or none at all when the provider is no longer configured. A provider trusted for
 * some organizations opens only those to the session, even for an account that other
 * organizations trust through other providers (SPEC §5: trusted for the organizations the
 * operator lists).
 */
/** The source of a provider session that recorded none (made before sources existed). */
export const UNKNOWN_SOURCE = 'unknown:';

export function sessionTrust(config: Pick<Config, 'oidc' | 'ldap'>, source: string | null | undefined): ProviderTrust | null {
  if (!source) return null;
  if (source === UNKNOWN_SOURCE) {
    // Which provider it came through is not known: where every provider is trusted for
    // everything, that changes nothing; once one is limited, such a session is trusted for
    // nothing (it signs in again) rather than for everything.
    const sources = signInSources(config);
    return sources.every((s) => s.trust.orgSlugs === null && s.trust.domains === null) ? null : providerTrust(source, { orgs: [] });
  }
  return signInSources(config).find((s) => s.source === source)?.trust ?? providerTrust(source, { orgs: [] });
}

/**
 * A slug in OIDC_<NAME>_ORGS or LDAP_ORGS that names no organization is most likely a
 * typo, and leaves the provider trusted for less than the operator meant: say so at
 * start-up. Not an error: the organization may be created later (orgbridge org create).
 */
export async function warnUnknownTrustedOrgs(db: Db, config: Pick<Config, 'oidc' | 'ldap'>, logger: Logger): Promise<void> {
  const sources = signInSources(config).filter((s) => s.trust.orgSlugs !== null);
  if (!sources.length) return;
  const known = new Set((await db('organizations').pluck('slug')) as string[]);
  for (const s of sources) {
    const unknown = s.trust.orgSlugs!.filter((slug) => !known.has(slug));
    if (unknown.length) logger.warn({ source: s.source, unknown }, 'a sign-in provider is trusted for organizations that do not exist (yet): check the slugs');
  }
}
