import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

const load = (env: Record<string, string>) => loadConfig(env as NodeJS.ProcessEnv);
const fails = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('has documented defaults', () => {
    const c = load({});
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', databaseUrl: null, dataDir: './data', autoProvisioning: false, oidc: [], ldap: null });
    expect(c.scim.maxPageSize).toBe(1000);
  });

  it('environment overrides, typed', () => {
    const c = load({ PORT: '9000', AUTO_PROVISIONING: 'true', DATABASE_URL: 'postgres://u@h/db', SCIM_MAX_PAGE_SIZE: '200', TRUST_PROXY: '1' });
    expect(c).toMatchObject({ port: 9000, autoProvisioning: true, databaseUrl: 'postgres://u@h/db', trustProxy: 1 });
    expect(c.scim.maxPageSize).toBe(200);
  });

  it('names the variable and what was expected', () => {
    expect(fails({ PORT: 'eighty' })).toMatch(/PORT: expected an integer, got "eighty"/);
    expect(fails({ PORT: '70000' })).toMatch(/PORT \(port\):/);
    expect(fails({ AUTO_PROVISIONING: 'maybe' })).toMatch(/AUTO_PROVISIONING: expected true or false/);
    expect(fails({ DATABASE_URL: 'mysql://x' })).toMatch(/DATABASE_URL \(databaseUrl\): a postgres:\/\/ URL/);
    expect(fails({ SESSION_SECRET: 'short' })).toMatch(/SESSION_SECRET \(sessionSecret\): at least 32 characters/);
    expect(fails({ LOG_LEVEL: 'loud' })).toMatch(/LOG_LEVEL/);
    expect(fails({ SCIM_DEFAULT_PAGE_SIZE: '5000' })).toMatch(/SCIM_DEFAULT_PAGE_SIZE \(scim.defaultPageSize\): must not exceed scim.maxPageSize/);
  });

  it('reads OIDC providers from OIDC_PROVIDERS and OIDC_<NAME>_*', () => {
    const c = load({
      OIDC_PROVIDERS: 'okta,entra',
      OIDC_OKTA_ISSUER: 'https://acme.okta.com',
      OIDC_OKTA_CLIENT_ID: 'abc',
      OIDC_OKTA_CLIENT_SECRET: 's3cret',
      OIDC_OKTA_GROUPS_CLAIM: 'groups',
      OIDC_ENTRA_ISSUER: 'https://login.microsoftonline.com/t/v2.0',
      OIDC_ENTRA_CLIENT_ID: 'def',
      OIDC_ENTRA_SCOPES: 'openid email profile',
    });
    expect(c.oidc).toHaveLength(2);
    expect(c.oidc[0]).toMatchObject({ name: 'okta', clientSecret: 's3cret', groupsClaim: 'groups', scopes: ['openid', 'email', 'profile'] });
    expect(c.oidc[1]).toMatchObject({ name: 'entra', scopes: ['openid', 'email', 'profile'] });
    expect(c.oidc[1]).not.toHaveProperty('clientSecret');
    expect(c.oidc[0]!.claims.emailVerified).toBe('email_verified');
    expect(load({ OIDC_PROVIDERS: 'entra', OIDC_ENTRA_ISSUER: 'https://login.microsoftonline.com/t/v2.0', OIDC_ENTRA_CLIENT_ID: 'x', OIDC_ENTRA_EMAIL_VERIFIED_CLAIM: 'xms_edov' }).oidc[0]!.claims).toMatchObject({
      email: 'email',
      emailVerified: 'xms_edov',
    });
    expect(fails({ OIDC_PROVIDERS: 'okta', OIDC_OKTA_ISSUER: 'https://x', OIDC_OKTA_CLIENT_ID: 'x', OIDC_ENTRA_EMAIL_VERIFIED_CLAIM: 'xms_edov' })).toMatch(
      /OIDC_ENTRA_EMAIL_VERIFIED_CLAIM is set but OIDC_PROVIDERS does not name "entra"/,
    );
    expect(fails({ OIDC_PROVIDERS: 'okta', OIDC_OKTA_CLIENT_ID: 'x' })).toMatch(/OIDC_OKTA_ISSUER \(oidc.0.issuer\)/);
    expect(fails({ OIDC_PROVIDERS: 'okta', OIDC_OKTA_ISSUER: 'https://x', OIDC_OKTA_CLIENT_ID: 'x', OIDC_GOOGLE_CLIENT_ID: 'y' })).toMatch(
      /OIDC_GOOGLE_CLIENT_ID is set but OIDC_PROVIDERS does not name "google"/,
    );
    expect(fails({ OIDC_PROVIDERS: 'a,a', OIDC_A_ISSUER: 'https://x', OIDC_A_CLIENT_ID: 'x' })).toMatch(/duplicate provider name/);
  });

  it('reads LDAP from LDAP_*', () => {
    const c = load({
      LDAP_URL: 'ldaps://ldap.example:636',
      LDAP_BIND_DN: 'cn=svc,dc=example,dc=org',
      LDAP_BIND_PASSWORD: 'pw',
      LDAP_SEARCH_BASE: 'ou=people,dc=example,dc=org',
      LDAP_SEARCH_FILTER: '(mail={{username}})',
      LDAP_ATTRIBUTES: 'email=mail,name=displayName,groups=memberOf',
      LDAP_GROUP_ALLOW_LIST: 'cn=ml,ou=groups,dc=example,dc=org; cn=ops,ou=groups,dc=example,dc=org',
    });
    expect(c.ldap).toMatchObject({ url: 'ldaps://ldap.example:636', attributes: { email: 'mail', name: 'displayName', groups: 'memberOf' }, startTls: false, groupAllowList: ['cn=ml,ou=groups,dc=example,dc=org', 'cn=ops,ou=groups,dc=example,dc=org'] });
    expect(fails({ LDAP_BIND_DN: 'x' })).toMatch(/LDAP_BIND_DN is set but LDAP_URL is not/);
    expect(fails({ LDAP_URL: 'http://x', LDAP_BIND_DN: 'x', LDAP_BIND_PASSWORD: 'p', LDAP_SEARCH_BASE: 'b' })).toMatch(/LDAP_URL \(ldap.url\)/);
    expect(fails({ LDAP_URL: 'ldap://x', LDAP_BIND_DN: 'x', LDAP_BIND_PASSWORD: 'p', LDAP_SEARCH_BASE: 'b', LDAP_SEARCH_FILTER: '(uid=*)' })).toMatch(/LDAP_SEARCH_FILTER.*\{\{username\}\}/);
    expect(fails({ LDAP_URL: 'ldap://x', LDAP_ATTRIBUTES: 'mail' })).toMatch(/LDAP_ATTRIBUTES: expected email=/);
  });

  it('PUBLIC_URL defaults to localhost on the configured port (links the CLI prints must work)', () => {
    expect(load({}).publicUrl).toBe('http://localhost:8080');
    expect(load({ PORT: '9090' }).publicUrl).toBe('http://localhost:9090');
    expect(load({ PORT: '9090', PUBLIC_URL: 'https://bridge.acme.example' }).publicUrl).toBe('https://bridge.acme.example');
    expect(fails({ PUBLIC_URL: 'not a url' })).toMatch(/PUBLIC_URL \(publicUrl\)/);
  });

  it('reads domain verification settings (DOMAIN_*, DNS_*), naming the variable of a bad list element', () => {
    expect(load({}).domains).toEqual({ refuse: [], pendingTtlDays: 7, dnsServers: [], dnsTimeoutMs: 2000 });
    const c = load({ DOMAIN_REFUSE: 'Partner.Example., mail.example', DOMAIN_PENDING_TTL_DAYS: '14', DNS_SERVERS: '127.0.0.1:5353, [::1]:53 192.0.2.53', DNS_TIMEOUT_MS: '500' });
    expect(c.domains).toEqual({ refuse: ['partner.example', 'mail.example'], pendingTtlDays: 14, dnsServers: ['127.0.0.1:5353', '[::1]:53', '192.0.2.53'], dnsTimeoutMs: 500 });
    expect(fails({ DNS_SERVERS: '192.0.2.53,dns.example' })).toMatch(/DNS_SERVERS \(domains\.dnsServers\.1\): "dns\.example" is not an IP address/);
    expect(fails({ DNS_SERVERS: '192.0.2.53:70000' })).toMatch(/DNS_SERVERS \(domains\.dnsServers\.0\)/);
    expect(fails({ DOMAIN_REFUSE: 'mail.example,*.example' })).toMatch(/DOMAIN_REFUSE \(domains\.refuse\.1\): "\*\.example" is not a domain name/);
    expect(fails({ DOMAIN_PENDING_TTL_DAYS: '0' })).toMatch(/DOMAIN_PENDING_TTL_DAYS \(domains\.pendingTtlDays\)/);
    expect(fails({ DNS_TIMEOUT_MS: 'soon' })).toMatch(/DNS_TIMEOUT_MS: expected an integer/);
  });

  it('provider trust: OIDC_<NAME>_ORGS / _DOMAINS and LDAP_ORGS / LDAP_DOMAINS, absent = all', () => {
    const oidc = { OIDC_PROVIDERS: 'okta,globex', OIDC_OKTA_ISSUER: 'https://acme.okta.example', OIDC_OKTA_CLIENT_ID: 'a', OIDC_GLOBEX_ISSUER: 'https://login.globex.example', OIDC_GLOBEX_CLIENT_ID: 'b' };
    const ldap = { LDAP_URL: 'ldaps://ldap.example:636', LDAP_BIND_DN: 'cn=svc,dc=example,dc=org', LDAP_BIND_PASSWORD: 'pw', LDAP_SEARCH_BASE: 'dc=example,dc=org' };
    const plain = load({ ...oidc, ...ldap });
    expect(plain.oidc.map((p) => [p.orgs, p.domains])).toEqual([[null, null], [null, null]]);
    expect(plain.ldap).toMatchObject({ orgs: null, domains: null, idAttribute: 'entryUUID' });

    const c = load({ ...oidc, ...ldap, OIDC_GLOBEX_ORGS: 'Globex, globex-labs', OIDC_GLOBEX_DOMAINS: 'Globex.Example.,labs.globex.example', LDAP_ORGS: 'acme', LDAP_DOMAINS: 'acme.example' });
    expect(c.oidc[0]).toMatchObject({ name: 'okta', orgs: null, domains: null });
    expect(c.oidc[1]).toMatchObject({ name: 'globex', orgs: ['globex', 'globex-labs'], domains: ['globex.example', 'labs.globex.example'] });
    expect(c.ldap).toMatchObject({ orgs: ['acme'], domains: ['acme.example'] });

    // each bad element is named with the variable it came from
    expect(fails({ ...oidc, OIDC_GLOBEX_ORGS: 'globex,glo_bex' })).toMatch(/OIDC_GLOBEX_ORGS \(oidc\.1\.orgs\.1\): "glo_bex" is not an organization slug/);
    expect(fails({ ...oidc, OIDC_OKTA_DOMAINS: 'acme' })).toMatch(/OIDC_OKTA_DOMAINS \(oidc\.0\.domains\.0\): "acme" is not a domain name/);
    expect(fails({ ...ldap, LDAP_ORGS: 'Acme Corp' })).toMatch(/LDAP_ORGS \(ldap\.orgs\.0\)/);
    expect(fails({ ...ldap, LDAP_DOMAINS: 'x@acme.example' })).toMatch(/LDAP_DOMAINS \(ldap\.domains\.0\): "x@acme\.example" is not a domain name/);
    expect(fails({ OIDC_PROVIDERS: 'okta', OIDC_OKTA_ISSUER: 'https://x', OIDC_OKTA_CLIENT_ID: 'x', OIDC_ENTRA_ORGS: 'acme' })).toMatch(/OIDC_ENTRA_ORGS is set but OIDC_PROVIDERS does not name "entra"/);
    expect(fails({ LDAP_ORGS: 'acme' })).toMatch(/LDAP_ORGS is set but LDAP_URL is not/);
  });

  it('provider trust in a deployment file: an empty list is refused, not read as "none" or "all"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgbridge-config-'));
    const file = join(dir, 'deploy.json');
    writeFileSync(file, JSON.stringify({ oidc: [{ name: 'okta', issuer: 'https://x', clientId: 'c', orgs: [], domains: ['acme.example'] }] }));
    expect(fails({ CONFIG_FILE: file })).toMatch(/oidc\.0\.orgs: list at least one organization slug, or leave it unset/);
    writeFileSync(file, JSON.stringify({ oidc: [{ name: 'okta', issuer: 'https://x', clientId: 'c', orgs: ['acme'], domains: ['acme.example'] }] }));
    expect(load({ CONFIG_FILE: file }).oidc[0]).toMatchObject({ orgs: ['acme'], domains: ['acme.example'] });
  });

  it('LDAP identity attribute: entryUUID by default, objectGUID for Active Directory, never the DN or a name', () => {
    const ldap = { LDAP_URL: 'ldaps://ldap.example:636', LDAP_BIND_DN: 'cn=svc,dc=example,dc=org', LDAP_BIND_PASSWORD: 'pw', LDAP_SEARCH_BASE: 'dc=example,dc=org' };
    expect(load({ ...ldap, LDAP_ID_ATTRIBUTE: 'objectGUID' }).ldap!.idAttribute).toBe('objectGUID');
    for (const attr of ['dn', 'distinguishedName', 'uid', 'sAMAccountName', 'userPrincipalName', 'mail', 'cn']) {
      expect(fails({ ...ldap, LDAP_ID_ATTRIBUTE: attr })).toMatch(/LDAP_ID_ATTRIBUTE \(ldap\.idAttribute\): must be an attribute the directory never reuses/);
    }
    expect(fails({ ...ldap, LDAP_ID_ATTRIBUTE: 'entry UUID' })).toMatch(/LDAP_ID_ATTRIBUTE \(ldap\.idAttribute\): an attribute name/);
  });

  it('LDAP_GROUP_ALLOW_LIST holds full DNs: a bare group name is refused at start-up', () => {
    const ldap = { LDAP_URL: 'ldaps://ldap.example:636', LDAP_BIND_DN: 'cn=svc,dc=example,dc=org', LDAP_BIND_PASSWORD: 'pw', LDAP_SEARCH_BASE: 'dc=example,dc=org' };
    expect(load({ ...ldap, LDAP_GROUP_ALLOW_LIST: 'CN=ML Platform,OU=Groups,DC=corp,DC=example;cn=Doe\\, Jane,ou=x' }).ldap!.groupAllowList).toHaveLength(2);
    expect(fails({ ...ldap, LDAP_GROUP_ALLOW_LIST: 'cn=ops,ou=groups,dc=example,dc=org;platform' })).toMatch(
      /LDAP_GROUP_ALLOW_LIST \(ldap\.groupAllowList\.1\): "platform" is not a DN: give the group's full DN/,
    );
  });

  it('reads a deployment file (CONFIG_FILE) under the environment, refusing unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgbridge-config-'));
    const file = join(dir, 'deploy.json');
    writeFileSync(file, JSON.stringify({ port: 7000, publicUrl: 'https://bridge.acme.example', scim: { maxPageSize: 500 } }));
    const c = load({ CONFIG_FILE: file, PORT: '7001' });
    expect(c).toMatchObject({ port: 7001, publicUrl: 'https://bridge.acme.example' });
    expect(c.scim).toMatchObject({ maxPageSize: 500, defaultPageSize: 100 });
    writeFileSync(file, JSON.stringify({ prot: 7000 }));
    expect(fails({ CONFIG_FILE: file })).toMatch(/Unrecognized key.*prot/);
    writeFileSync(file, '{ nope');
    expect(fails({ CONFIG_FILE: file })).toMatch(/CONFIG_FILE: .* is not valid JSON/);
  });
});
