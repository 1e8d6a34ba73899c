import type { OidcProviderConfig } from '../../config/schema.ts';
import { assertedEmail } from '../../domain/provisioning/provider-trust.ts';
import { signInRefused } from '../errors.ts';
import type { SignInIdentity } from '../identity.ts';
import { oidcTrust } from '../trust.ts';

// ID token (and UserInfo) claims → SignInIdentity, once, at this seam.

type Claims = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** Group claims come as an array of strings, or (some IdPs, one group) a single string. */
export function readGroups(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() ? [v.trim()] : [];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string' && g.trim() !== '').map((g) => g.trim());
  return null;
}

export function identityFromClaims(provider: OidcProviderConfig, issuer: string, claims: Claims): SignInIdentity {
  const sub = str(claims.sub);
  if (!sub) throw signInRefused('The ID token names no subject (sub).');
  // Trusted only when the IdP says so with the JSON boolean true ("true" is not true), in
  // the claim configured for it (email_verified, or e.g. Entra ID's xms_edov).
  const verified = claims[provider.claims.emailVerified] === true;
  // And only in the domains the provider may assert (OIDC_<NAME>_DOMAINS): outside them
  // the address counts as unverified.
  const trust = oidcTrust(provider);
  const email = assertedEmail(trust, verified ? str(claims[provider.claims.email]) : null);
  return {
    provider: `oidc:${issuer}`,
    externalId: sub,
    email,
    userName: str(claims[provider.claims.username]),
    displayName: str(claims[provider.claims.name]),
    givenName: str(claims[provider.claims.givenName]),
    familyName: str(claims[provider.claims.familyName]),
    groups: provider.groupsClaim ? readGroups(claims[provider.groupsClaim]) : null,
    source: trust.source,
    trust,
    label: `oidc:${provider.name}`,
  };
}
