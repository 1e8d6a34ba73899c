import { describe, expect, test } from 'vitest';
import { assertedEmail, mayAssertEmail, providerTrust, trustsOrg } from '../../src/domain/provisioning/provider-trust.ts';
import { entryId, guidString } from '../../src/sso/ldap/entry-id.ts';
import { loadConfig } from '../../src/config/load.ts';
import { signInSources } from '../../src/sso/trust.ts';

describe('provider trust', () => {
  test('no lists: every organization, any address (a single-organization deployment)', () => {
    const t = providerTrust('oidc:okta');
    expect(t).toEqual({ source: 'oidc:okta', orgSlugs: null, domains: null });
    expect(trustsOrg(t, { slug: 'acme' })).toBe(true);
    expect(mayAssertEmail(t, 'x@anything.example')).toBe(true);
  });

  test('listed organizations only, by slug', () => {
    const t = providerTrust('oidc:globex', { orgs: ['Globex'] });
    expect(trustsOrg(t, { slug: 'globex' })).toBe(true);
    expect(trustsOrg(t, { slug: 'acme' })).toBe(false);
    expect(trustsOrg(t, { slug: 'globex-2' })).toBe(false);
  });

  test('listed domains only, exactly: a subdomain or a look-alike is outside', () => {
    const t = providerTrust('ldap', { domains: ['globex.example'] });
    expect(mayAssertEmail(t, 'ann@globex.example')).toBe(true);
    expect(mayAssertEmail(t, 'ann@GLOBEX.example')).toBe(true);
    expect(mayAssertEmail(t, 'ann@sub.globex.example')).toBe(false);
    expect(mayAssertEmail(t, 'ann@globex.example.evil')).toBe(false);
    expect(mayAssertEmail(t, 'ann@acme.example')).toBe(false);
    expect(mayAssertEmail(t, 'not an address')).toBe(false);
    expect(assertedEmail(t, 'ann@acme.example')).toBeNull();
    expect(assertedEmail(t, 'ann@globex.example')).toBe('ann@globex.example');
    expect(assertedEmail(t, null)).toBeNull();
  });

  test('from the configuration: each provider its source and trust, LDAP last', () => {
    const config = loadConfig({
      OIDC_PROVIDERS: 'okta,globex',
      OIDC_OKTA_ISSUER: 'https://acme.okta.example',
      OIDC_OKTA_CLIENT_ID: 'a',
      OIDC_OKTA_DISPLAY_NAME: 'Okta',
      OIDC_GLOBEX_ISSUER: 'https://login.globex.example',
      OIDC_GLOBEX_CLIENT_ID: 'b',
      OIDC_GLOBEX_ORGS: 'globex',
      OIDC_GLOBEX_DOMAINS: 'globex.example',
      LDAP_URL: 'ldaps://ldap.example',
      LDAP_BIND_DN: 'cn=svc,dc=example',
      LDAP_BIND_PASSWORD: 'pw',
      LDAP_SEARCH_BASE: 'dc=example',
      LDAP_ORGS: 'acme,globex',
    } as NodeJS.ProcessEnv);
    expect(signInSources(config)).toEqual([
      { source: 'oidc:okta', label: 'Okta (OIDC)', trust: { source: 'oidc:okta', orgSlugs: null, domains: null } },
      { source: 'oidc:globex', label: 'globex (OIDC)', trust: { source: 'oidc:globex', orgSlugs: ['globex'], domains: ['globex.example'] } },
      { source: 'ldap', label: 'LDAP directory', trust: { source: 'ldap', orgSlugs: ['acme', 'globex'], domains: null } },
    ]);
  });
});

describe('the LDAP identity attribute', () => {
  const raw = (attrs: Record<string, Buffer | Buffer[]>) => ({ dn: 'uid=x,dc=example', _raw: attrs });

  test('objectGUID: 16 bytes → the GUID as Active Directory shows it (first three fields little-endian)', () => {
    // .NET's new Guid(byte[] {0..15}) prints 03020100-0504-0706-0809-0a0b0c0d0e0f: the same layout.
    const bytes = Buffer.from([...Array(16).keys()]);
    expect(guidString(bytes)).toBe('03020100-0504-0706-0809-0a0b0c0d0e0f');
    // Bytes that are not UTF-8 (ldapjs's text form would have turned them into U+FFFD):
    // ff00fe80 | c328 | 1234 | 5678 | 90abcdefa0b1.
    const binary = Buffer.from('ff00fe80c3281234567890abcdefa0b1', 'hex');
    expect(guidString(binary)).toBe('80fe00ff-28c3-3412-5678-90abcdefa0b1');
    expect(entryId(raw({ objectguid: binary }), 'objectGUID')).toBe('80fe00ff-28c3-3412-5678-90abcdefa0b1');
    expect(entryId(raw({ objectGUID: Buffer.from('abc') }), 'objectGUID')).toBeNull();
  });

  test('entryUUID (text) as sent, lower-cased when it is a UUID; other bytes in base64', () => {
    expect(entryId(raw({ entryUUID: Buffer.from('3F2504E0-4F89-11D3-9A0C-0305E82C3301') }), 'entryUUID')).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    expect(entryId(raw({ nsUniqueId: Buffer.from('66a9a401-1dd211b2-80c8d7fd-8f0b1c41') }), 'nsUniqueId')).toBe('66a9a401-1dd211b2-80c8d7fd-8f0b1c41');
    expect(entryId(raw({ GUID: Buffer.from('ff01', 'hex') }), 'GUID')).toBe('base64:/wE=');
  });

  test('no such attribute, or an empty one: null (the sign-in is refused, never keyed on the DN)', () => {
    expect(entryId(raw({}), 'entryUUID')).toBeNull();
    expect(entryId({ dn: 'uid=x,dc=example', entryUUID: 'text only' }, 'entryUUID')).toBeNull();
    expect(entryId(raw({ entryUUID: Buffer.alloc(0) }), 'entryUUID')).toBeNull();
    expect(entryId(raw({ entryUUID: [] as Buffer[] }), 'entryUUID')).toBeNull();
  });
});

describe('sessions that recorded no source', () => {
  test('a provider session made before sources existed is trusted for no organization once a provider is limited; break-glass and setup stay unlimited', async () => {
    const { currentAccount } = await import('../../src/sso/session/middleware.ts');
    const { sessionTrust } = await import('../../src/sso/trust.ts');
    const open = loadConfig({ OIDC_PROVIDERS: 'okta', OIDC_OKTA_ISSUER: 'https://acme.okta.example', OIDC_OKTA_CLIENT_ID: 'a' });
    const config = loadConfig({ OIDC_PROVIDERS: 'okta,globex', OIDC_OKTA_ISSUER: 'https://acme.okta.example', OIDC_OKTA_CLIENT_ID: 'a', OIDC_GLOBEX_ISSUER: 'https://login.globex.example', OIDC_GLOBEX_CLIENT_ID: 'b', OIDC_GLOBEX_ORGS: 'globex' });
    const req = (session: Record<string, unknown>) => ({ session }) as unknown as Parameters<typeof currentAccount>[0];
    for (const authMethod of ['oidc', 'ldap']) {
      const who = currentAccount(req({ accountId: 'acc', authMethod }))!;
      const trust = sessionTrust(config, who.source);
      expect(trust, authMethod).not.toBeNull();
      expect(trustsOrg(trust!, { slug: 'acme' })).toBe(false);
    }
    // No provider limited: nothing to keep such a session from.
    expect(sessionTrust(open, currentAccount(req({ accountId: 'acc', authMethod: 'oidc' }))!.source)).toBeNull();
    for (const authMethod of ['break_glass', 'setup']) {
      expect(sessionTrust(config, currentAccount(req({ accountId: 'acc', authMethod }))!.source)).toBeNull();
    }
    // With its source recorded, the provider's own trust (no lists: every organization).
    expect(trustsOrg(sessionTrust(config, currentAccount(req({ accountId: 'acc', authMethod: 'oidc', source: 'oidc:okta' }))!.source)!, { slug: 'acme' })).toBe(true);
  });
});
