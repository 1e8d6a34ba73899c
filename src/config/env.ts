// Environment variables → a partial configuration, remembering which variable set which
// key so that a validation error names the variable the operator actually wrote.

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Path = (string | number)[];
export interface EnvOverlay {
  values: Record<string, unknown>;
  /** "a.b.0.c" → the variable that provided it. */
  sources: Map<string, string>;
}

const SCALARS: [string, Path, 'string' | 'int' | 'number' | 'bool' | 'trustProxy' | 'list'][] = [
  ['PORT', ['port'], 'int'],
  ['HOST', ['host'], 'string'],
  ['PUBLIC_URL', ['publicUrl'], 'string'],
  ['DATABASE_URL', ['databaseUrl'], 'string'],
  ['DATA_DIR', ['dataDir'], 'string'],
  ['DATABASE_POOL_MAX', ['databasePoolMax'], 'int'],
  ['LOG_LEVEL', ['logLevel'], 'string'],
  ['TRUST_PROXY', ['trustProxy'], 'trustProxy'],
  ['SESSION_SECRET', ['sessionSecret'], 'string'],
  ['SESSION_TTL_HOURS', ['sessionTtlHours'], 'number'],
  ['SESSION_IDLE_MINUTES', ['sessionIdleMinutes'], 'number'],
  ['AUTO_PROVISIONING', ['autoProvisioning'], 'bool'],
  ['INVITATION_TTL_DAYS', ['invitationTtlDays'], 'number'],
  ['SHUTDOWN_TIMEOUT_MS', ['shutdownTimeoutMs'], 'int'],
  ['SCIM_MAX_BODY_BYTES', ['scim', 'maxBodyBytes'], 'int'],
  ['SCIM_MAX_PATCH_OPERATIONS', ['scim', 'maxPatchOperations'], 'int'],
  ['SCIM_MAX_FILTER_LENGTH', ['scim', 'maxFilterLength'], 'int'],
  ['SCIM_MAX_FILTER_DEPTH', ['scim', 'maxFilterDepth'], 'int'],
  ['SCIM_DEFAULT_PAGE_SIZE', ['scim', 'defaultPageSize'], 'int'],
  ['SCIM_MAX_PAGE_SIZE', ['scim', 'maxPageSize'], 'int'],
  ['SCIM_BULK_MAX_OPERATIONS', ['scim', 'bulkMaxOperations'], 'int'],
  ['SCIM_BULK_MAX_PAYLOAD_BYTES', ['scim', 'bulkMaxPayloadBytes'], 'int'],
  ['SCIM_ROLE_GROUPS', ['scim', 'roleGroupsEnabled'], 'bool'],
  ['RATE_LIMIT_WINDOW_SECONDS', ['rateLimit', 'windowSeconds'], 'int'],
  ['RATE_LIMIT_SYNC_MS', ['rateLimit', 'syncMs'], 'int'],
  ['RATE_LIMIT_SCIM_PER_TOKEN', ['rateLimit', 'scim', 'perToken'], 'int'],
  ['RATE_LIMIT_SCIM_PER_ADDRESS', ['rateLimit', 'scim', 'perAddress'], 'int'],
  ['RATE_LIMIT_API_PER_TOKEN', ['rateLimit', 'api', 'perToken'], 'int'],
  ['RATE_LIMIT_API_PER_ADDRESS', ['rateLimit', 'api', 'perAddress'], 'int'],
  ['RATE_LIMIT_DECISIONS_PER_TOKEN', ['rateLimit', 'decisions', 'perToken'], 'int'],
  ['RATE_LIMIT_DECISIONS_PER_ADDRESS', ['rateLimit', 'decisions', 'perAddress'], 'int'],
  ['DOMAIN_REFUSE', ['domains', 'refuse'], 'list'],
  ['DOMAIN_PENDING_TTL_DAYS', ['domains', 'pendingTtlDays'], 'number'],
  ['DNS_SERVERS', ['domains', 'dnsServers'], 'list'],
  ['DNS_TIMEOUT_MS', ['domains', 'dnsTimeoutMs'], 'int'],
  ['WEBHOOK_WORKER', ['webhooks', 'worker'], 'bool'],
  ['WEBHOOK_POLL_INTERVAL_MS', ['webhooks', 'pollIntervalMs'], 'int'],
  ['WEBHOOK_BATCH_SIZE', ['webhooks', 'batchSize'], 'int'],
  ['WEBHOOK_MAX_IN_FLIGHT_PER_ORG', ['webhooks', 'maxInFlightPerOrg'], 'int'],
  ['WEBHOOK_MAX_ATTEMPTS', ['webhooks', 'maxAttempts'], 'int'],
  ['WEBHOOK_BACKOFF_BASE_MS', ['webhooks', 'backoffBaseMs'], 'int'],
  ['WEBHOOK_BACKOFF_MAX_MS', ['webhooks', 'backoffMaxMs'], 'int'],
  ['WEBHOOK_RETENTION_DAYS', ['webhooks', 'retentionDays'], 'int'],
  ['WEBHOOK_TIMEOUT_MS', ['webhooks', 'timeoutMs'], 'int'],
  ['WEBHOOK_ALLOW_HTTP_HOSTS', ['webhooks', 'allowHttpHosts'], 'list'],
  ['WEBHOOK_ALLOW_PRIVATE_HOSTS', ['webhooks', 'allowPrivateHosts'], 'list'],
  ['METRICS_TOKEN', ['metrics', 'token'], 'string'],
  ['METRICS_PORT', ['metrics', 'port'], 'int'],
  ['METRICS_HOST', ['metrics', 'host'], 'string'],
];

const LDAP_VARS: [string, Path, 'string' | 'int' | 'bool' | 'csv' | 'dnlist' | 'attributes'][] = [
  ['LDAP_URL', ['url'], 'string'],
  ['LDAP_BIND_DN', ['bindDn'], 'string'],
  ['LDAP_BIND_PASSWORD', ['bindPassword'], 'string'],
  ['LDAP_SEARCH_BASE', ['searchBase'], 'string'],
  ['LDAP_SEARCH_FILTER', ['searchFilter'], 'string'],
  ['LDAP_ATTRIBUTES', ['attributes'], 'attributes'],
  ['LDAP_STARTTLS', ['startTls'], 'bool'],
  ['LDAP_CA_FILE', ['caFile'], 'string'],
  // DNs contain commas, so this list is separated by semicolons (or newlines).
  ['LDAP_GROUP_ALLOW_LIST', ['groupAllowList'], 'dnlist'],
  ['LDAP_GROUP_SYNC', ['groupSync'], 'bool'],
  ['LDAP_ID_ATTRIBUTE', ['idAttribute'], 'string'],
  ['LDAP_ORGS', ['orgs'], 'csv'],
  ['LDAP_DOMAINS', ['domains'], 'csv'],
  ['LDAP_TIMEOUT_MS', ['timeoutMs'], 'int'],
  ['LDAP_LOGIN_MAX_FAILURES', ['loginMaxFailures'], 'int'],
  ['LDAP_LOGIN_MAX_FAILURES_PER_ADDRESS', ['loginMaxFailuresPerAddress'], 'int'],
  ['LDAP_LOGIN_WINDOW_MINUTES', ['loginWindowMinutes'], 'int'],
];

const OIDC_SUFFIXES: Record<string, [Path, 'string' | 'list' | 'csv' | 'bool']> = {
  ISSUER: [['issuer'], 'string'],
  CLIENT_ID: [['clientId'], 'string'],
  CLIENT_SECRET: [['clientSecret'], 'string'],
  SCOPES: [['scopes'], 'list'],
  GROUPS_CLAIM: [['groupsClaim'], 'string'],
  DISPLAY_NAME: [['displayName'], 'string'],
  EMAIL_VERIFIED_CLAIM: [['claims', 'emailVerified'], 'string'],
  LOGOUT: [['logout'], 'bool'],
  ORGS: [['orgs'], 'csv'],
  DOMAINS: [['domains'], 'csv'],
};
const OIDC_VARIABLE = new RegExp(`^OIDC_([A-Z0-9_]+?)_(${Object.keys(OIDC_SUFFIXES).join('|')})$`);

function convert(name: string, raw: string, kind: string): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'int':
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
        throw new ConfigError(`${name}: expected ${kind === 'int' ? 'an integer' : 'a number'}, got "${raw}"`);
      }
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${name}: expected true or false, got "${raw}"`);
    }
    case 'trustProxy': {
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === 'false') return v === 'true';
      if (/^\d+$/.test(v)) return Number(v);
      return raw;
    }
    case 'list':
      return raw.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
    case 'csv':
      // Commas only: "Acme Corp" is one (invalid) slug, not two valid ones.
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'dnlist':
      return raw.split(/[;\n]+/).map((s) => s.trim()).filter(Boolean);
    case 'attributes': {
      // email=mail,name=cn,groups=memberOf
      const out: Record<string, string> = {};
      for (const pair of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
        const m = /^(email|name|groups)=([A-Za-z][A-Za-z0-9-;]*)$/.exec(pair);
        if (!m) throw new ConfigError(`${name}: expected email=<attr>,name=<attr>,groups=<attr>; cannot read "${pair}"`);
        out[m[1]!] = m[2]!;
      }
      return out;
    }
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

function setPath(target: Record<string, unknown>, path: Path, value: unknown): void {
  let cur: Record<string | number, unknown> = target;
  path.slice(0, -1).forEach((k, i) => {
    if (cur[k] === undefined || cur[k] === null) cur[k] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[k] as Record<string | number, unknown>;
  });
  cur[path[path.length - 1]!] = value;
}

export function readEnv(env: NodeJS.ProcessEnv): EnvOverlay {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const put = (name: string, path: Path, value: unknown) => {
    setPath(values, path, value);
    sources.set(path.join('.'), name);
  };
  const present = (name: string) => env[name] !== undefined && env[name] !== '';

  for (const [name, path, kind] of SCALARS) {
    if (present(name)) put(name, path, convert(name, env[name]!, kind));
  }

  const ldapSet = LDAP_VARS.filter(([n]) => present(n));
  if (ldapSet.length > 0) {
    if (!present('LDAP_URL')) {
      throw new ConfigError(`${ldapSet[0]![0]} is set but LDAP_URL is not: set LDAP_URL to enable LDAP sign-in`);
    }
    put('LDAP_URL', ['ldap'], {});
    for (const [name, path, kind] of ldapSet) put(name, ['ldap', ...path], convert(name, env[name]!, kind));
  }

  const providers = present('OIDC_PROVIDERS') ? (convert('OIDC_PROVIDERS', env.OIDC_PROVIDERS!, 'list') as string[]) : [];
  const declared = new Set(providers.map((p) => p.toUpperCase().replace(/-/g, '_')));
  for (const key of Object.keys(env)) {
    const m = OIDC_VARIABLE.exec(key);
    if (m && !declared.has(m[1]!)) {
      throw new ConfigError(`${key} is set but OIDC_PROVIDERS does not name "${m[1]!.toLowerCase()}"`);
    }
  }
  if (providers.length > 0) {
    put('OIDC_PROVIDERS', ['oidc'], []);
    providers.forEach((provider, i) => {
      const prefix = `OIDC_${provider.toUpperCase().replace(/-/g, '_')}_`;
      put('OIDC_PROVIDERS', ['oidc', i, 'name'], provider.toLowerCase());
      for (const [suffix, [path, kind]] of Object.entries(OIDC_SUFFIXES)) {
        const name = prefix + suffix;
        if (present(name)) put(name, ['oidc', i, ...path], convert(name, env[name]!, kind));
        else sources.set(['oidc', i, ...path].join('.'), name);
      }
    });
  }
  return { values, sources };
}
