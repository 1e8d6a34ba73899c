import { isIP } from 'node:net';
import { z } from 'zod';
import { DOMAIN_RE } from '../domain/domain-names.ts';
import { parseDn } from '../lib/dn.ts';

// The one description of orgbridge's configuration. config/default.json holds the
// defaults; a deployment file (CONFIG_FILE) and then environment variables override them
// (see env.ts). Every key is documented in README.md § Configuration.

const url = z.string().url();
const positiveInt = z.number().int().positive();

// Provider trust (SPEC §5; src/domain/provisioning/provider-trust.ts): the organizations a
// sign-in provider is trusted for, by slug (a slug never changes, a name may), and the
// email domains it may assert. Absent (null) = all: the default for a deployment that
// serves one organization. An empty list is refused rather than read as "none" or "all".
const orgSlugs = z
  .array(z.string().trim().toLowerCase().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: (i) => `"${String(i.input)}" is not an organization slug (lower-case letters, digits and dashes)` }))
  .min(1, 'list at least one organization slug, or leave it unset to trust the provider for every organization')
  .nullable()
  .default(null);
const emailDomains = z
  .array(z.string().trim().toLowerCase().transform((d) => d.replace(/\.$/, '')).pipe(z.string().regex(DOMAIN_RE, { error: (i) => `"${String(i.input)}" is not a domain name such as acme.example` })))
  .min(1, 'list at least one domain, or leave it unset to accept any address the provider verifies')
  .nullable()
  .default(null);

// The LDAP identity must be an attribute the directory never reuses. The DN and the
// username are reused (a departed person's DN or sAMAccountName is given to a new hire),
// so a sign-in keyed on them would inherit the previous owner's account (issue 11).
const REUSABLE_ATTRIBUTES = ['dn', 'distinguishedname', 'entrydn', 'uid', 'samaccountname', 'userprincipalname', 'mail', 'cn'];
const idAttribute = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'an attribute name')
  .refine((a) => !REUSABLE_ATTRIBUTES.includes(a.toLowerCase()), {
    message: 'must be an attribute the directory never reuses (entryUUID, or objectGUID on Active Directory), not a name or the DN',
  })
  .default('entryUUID');

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
  /** Organization slugs this provider is trusted for; null = every organization. */
  orgs: orgSlugs,
  /** Email domains this provider may assert (exact match); null = any. Outside them an address counts as unverified. */
  domains: emailDomains,
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
  /**
   * Group DNs; when non-empty only members of one of them may sign in. Full DNs only: a
   * bare name (`ops`) would let a same-named group anywhere in the directory in.
   */
  groupAllowList: z
    .array(
      z.string().refine((g) => parseDn(g) !== null, {
        error: (i) =>
          `"${String(i.input)}" is not a DN: give the group's full DN (e.g. cn=ops,ou=groups,dc=example,dc=org); a bare name would match a same-named group anywhere in the directory`,
      }),
    )
    .default([]),
  /** Apply LDAP groups at sign-in through role groups whose source is `ldap` (group DN → role). */
  groupSync: z.boolean().default(false),
  /** The attribute that identifies a person: entryUUID, objectGUID on Active Directory. */
  idAttribute,
  /** Organization slugs the directory is trusted for; null = every organization. */
  orgs: orgSlugs,
  /** Email domains the directory may assert (exact match); null = any. */
  domains: emailDomains,
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

// Webhooks (issue 16; src/events/). A host is compared as written in the endpoint URL
// (lower-case): the allow-lists are an operator's, for receivers on an internal network.
const hostList = z.array(z.string().trim().toLowerCase().min(1));
export const webhooksSchema = z.object({
  /** Run the delivery worker in this process (several instances may all run it). */
  worker: z.boolean(),
  /** How often an idle worker looks for events and due deliveries. */
  pollIntervalMs: positiveInt,
  /** Deliveries in flight at once, per worker (claimed again as each ends). */
  batchSize: positiveInt,
  /** Of those, at most this many for one organization: a tenant's slow receiver cannot hold the shared worker. */
  maxInFlightPerOrg: positiveInt,
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts: positiveInt,
  /** Retry n waits backoffBaseMs · 2^(n-1), at most backoffMaxMs. */
  backoffBaseMs: positiveInt,
  backoffMaxMs: positiveInt,
  /** Events older than this, with no delivery still pending, are pruned with their deliveries and log (the audit log stays). */
  retentionDays: positiveInt,
  /** Per attempt: connect, send and the receiver's answer. */
  timeoutMs: positiveInt,
  /** Hosts an endpoint may reach over plain http (everything else must be https). */
  allowHttpHosts: hostList,
  /** Hosts allowed to resolve to private, loopback or link-local addresses (SSRF guard). */
  allowPrivateHosts: hostList,
});

// GET /metrics: on the main port behind a bearer token, or on its own port (bind it to an
// interface only the scraper reaches). Neither set: not served.
export const metricsSchema = z.object({
  token: z.string().min(16, 'at least 16 characters').nullable(),
  port: z.number().int().min(0).max(65535).nullable(),
  host: z.string().min(1),
});

const nonNegativeInt = z.number().int().nonnegative();
/** Requests per window on one door (src/http/rate-limit/request-limits.ts); 0 turns a limit off. */
const doorLimits = z.object({ perToken: nonNegativeInt, perAddress: nonNegativeInt }).strict();

export const rateLimitSchema = z
  .object({
    /** Fixed windows of this many seconds. */
    windowSeconds: positiveInt,
    /** How often an instance adds its counts to the shared ones; 0 = every request, awaited (exact). */
    syncMs: nonNegativeInt,
    scim: doorLimits,
    api: doorLimits,
    /** POST /api/v1/decisions: the platform asks on every action it gates (issue 15). */
    decisions: doorLimits,
  })
  .strict();

export const configSchema = z
  .object({
    port: z.number().int().min(0).max(65535),
    host: z.string().min(1),
    /** null (the default): http://localhost:<port>, so that a changed PORT gives working links. */
    publicUrl: url.nullable(),
    databaseUrl: z.string().regex(/^postgres(ql)?:\/\/.+/, 'a postgres:// URL').nullable(),
    dataDir: z.string().min(1),
    databasePoolMax: positiveInt,
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    trustProxy: z.union([z.boolean(), z.number().int().nonnegative(), z.string().min(1)]),
    sessionSecret: z.string().min(32, 'at least 32 characters').nullable(),
    /** Absolute lifetime of a signed-in session, from sign-in, however much it is used. */
    sessionTtlHours: z.number().positive(),
    /** A session with no request for this long ends (the idle timeout). */
    sessionIdleMinutes: z.number().positive(),
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
    rateLimit: rateLimitSchema,
    domains: domainsSchema,
    oidc: z.array(oidcProviderSchema),
    ldap: ldapSchema.nullable(),
    webhooks: webhooksSchema,
    metrics: metricsSchema,
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
  })
  .transform((c) => ({ ...c, publicUrl: c.publicUrl ?? `http://localhost:${c.port}` }));

export type Config = z.infer<typeof configSchema>;
export type OidcProviderConfig = z.infer<typeof oidcProviderSchema>;
export type LdapConfig = z.infer<typeof ldapSchema>;
export type DomainsConfig = z.infer<typeof domainsSchema>;
export type WebhooksConfig = z.infer<typeof webhooksSchema>;
export type MetricsConfig = z.infer<typeof metricsSchema>;
