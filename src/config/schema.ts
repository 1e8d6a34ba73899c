import { isIP } from 'node:net';
import { z } from 'zod';
import { DOMAIN_RE } from '../domain/domain-names.ts';

// The one description of orgbridge's configuration. config/default.json holds the
// defaults; a deployment file (CONFIG_FILE) and then environment variables override them
// (see env.ts). Every key is documented in README.md § Configuration.

const url = z.string().url();
const positiveInt = z.number().int().positive();

export const oidcProviderSchema = z.object({
  /** Lower-case name used in routes (/auth/oidc/<name>/login) and strategy names. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, starting with a letter'),
  displayName: z.string().min(1).optional(),
  issuer: url,
  clientId: z.string().min(1),
  /** Absent → public client (PKCE only, token_endpoint_auth_method none). */
  clientSecret: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
  /** Claim that carries group names (e.g. "groups"); absent → groups are not read. */
  groupsClaim: z.string().min(1).optional(),
  /**
   * Sign-out also ends the session at the IdP (OpenID Connect RP-Initiated Logout 1.0),
   * when its discovery document has an end_session_endpoint. Off by default: signing out
   * of orgbridge should not sign people out of every other application of their IdP.
   */
  logout: z.boolean().default(false),
  /** Claim mapping for the person's profile. */
  claims: z
    .object({
      email: z.string().default('email'),
      name: z.string().default('name'),
      givenName: z.string().default('given_name'),
      familyName: z.string().default('family_name'),
      username: z.string().default('preferred_username'),
      /**
       * The boolean claim that vouches for `email` (OIDC Core §5.1). Entra ID sends no
       * email_verified for work accounts; its optional claim `xms_edov` (email domain owner
       * verified) says the address's domain is verified in the tenant.
       */
      emailVerified: z.string().min(1).default('email_verified'),
    })
    .default({ email: 'email', name: 'name', givenName: 'given_name', familyName: 'family_name', username: 'preferred_username', emailVerified: 'email_verified' }),
});

export const ldapSchema = z.object({
  url: z.string().regex(/^ldaps?:\/\/.+/, 'an ldap:// or ldaps:// URL'),
  bindDn: z.string().min(1),
  bindPassword: z.string().min(1),
  searchBase: z.string().min(1),
  searchFilter: z.string().includes('{{username}}', { message: 'must contain {{username}}' }).default('(uid={{username}})'),
  attributes: z
    .object({
      email: z.string().min(1).default('mail'),
      name: z.string().min(1).default('cn'),
      groups: z.string().min(1).default('memberOf'),
    })
    .default({ email: 'mail', name: 'cn', groups: 'memberOf' }),
  startTls: z.boolean().default(false),
  caFile: z.string().min(1).optional(),
  /** Group DNs or CNs; when non-empty only members of one of them may sign in. */
  groupAllowList: z.array(z.string().min(1)).default([]),
  /** Sync LDAP groups onto teams (through role groups or same-named teams). */
  groupSync: z.boolean().default(false),
  timeoutMs: positiveInt.default(5000),
  /** Failed sign-ins per username + client address in one window before 429 (src/sso/ldap/throttle.ts). */
  loginMaxFailures: positiveInt.default(5),
  /** Failed sign-ins per client address in one window, whatever the username. */
  loginMaxFailuresPerAddress: positiveInt.default(50),
  loginWindowMinutes: positiveInt.default(15),
});

/** A DNS server as node:dns takes it: an IP address, with a port as 1.2.3.4:53 or [::1]:53. */
function isDnsServer(s: string): boolean {
  if (isIP(s)) return true;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s);
  if (!m) return false;
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  return (m[1] ? isIP(host) === 6 : isIP(host) === 4) && port > 0 && port <= 65535;
}

export const domainsSchema = z.object({
  /** Refused for every organization, with their subdomains, besides public suffixes and public email providers. */
  refuse: z.array(
    z
      .string()
      .transform((d) => d.trim().toLowerCase().replace(/\.$/, ''))
      .pipe(z.string().regex(DOMAIN_RE, { error: (i) => `"${String(i.input)}" is not a domain name (expected e.g. mail.example)` })),
  ),
  /** How long a claim may stay pending before maintenance removes it. */
  pendingTtlDays: z.number().positive(),
  /** Resolvers for TXT verification; empty → the system's. */
  dnsServers: z.array(
    z.string().refine(isDnsServer, { error: (i) => `"${String(i.input)}" is not an IP address, optionally with a port (192.0.2.53:53, [2001:db8::53]:53)` }),
  ),
  dnsTimeoutMs: positiveInt,
});

export const configSchema = z
  .object({
    port: z.number().int().min(0).max(65535),
    host: z.string().min(1),
    publicUrl: url,
    databaseUrl: z.string().regex(/^postgres(ql)?:\/\/.+/, 'a postgres:// URL').nullable(),
    dataDir: z.string().min(1),
    databasePoolMax: positiveInt,
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    trustProxy: z.union([z.boolean(), z.number().int().nonnegative(), z.string().min(1)]),
    sessionSecret: z.string().min(32, 'at least 32 characters').nullable(),
    sessionTtlHours: z.number().positive(),
    autoProvisioning: z.boolean(),
    invitationTtlDays: z.number().positive(),
    shutdownTimeoutMs: positiveInt,
    scim: z.object({
      maxBodyBytes: positiveInt,
      maxPatchOperations: positiveInt,
      maxFilterLength: positiveInt,
      maxFilterDepth: positiveInt,
      defaultPageSize: positiveInt,
      maxPageSize: positiveInt,
      bulkMaxOperations: positiveInt,
      bulkMaxPayloadBytes: positiveInt,
      roleGroupsEnabled: z.boolean(),
    }),
    domains: domainsSchema,
    oidc: z.array(oidcProviderSchema),
    ldap: ldapSchema.nullable(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.oidc.forEach((p, i) => {
      if (names.has(p.name)) ctx.addIssue({ code: 'custom', path: ['oidc', i, 'name'], message: `duplicate provider name "${p.name}"` });
      names.add(p.name);
    });
    if (c.scim.defaultPageSize > c.scim.maxPageSize) {
      ctx.addIssue({ code: 'custom', path: ['scim', 'defaultPageSize'], message: 'must not exceed scim.maxPageSize' });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type OidcProviderConfig = z.infer<typeof oidcProviderSchema>;
export type LdapConfig = z.infer<typeof ldapSchema>;
export type DomainsConfig = z.infer<typeof domainsSchema>;
