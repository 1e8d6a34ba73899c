import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { orgsTrusting, providerTrust } from '../../src/domain/provisioning/provider-trust.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { warnUnknownTrustedOrgs } from '../../src/sso/trust.ts';
import { useTestDb } from '../support/db.ts';
import { makeOrg } from '../support/factories.ts';

// The trust helpers that need the database: which of a person's organizations trust a
// provider (for linking and group claims), and the start-up warning for unknown slugs.

const t = useTestDb();

describe('provider trust in the database', () => {
  it('orgsTrusting: the organizations of those given that the provider is trusted for', async () => {
    const acme = await makeOrg(t.db, 'Acme');
    const globex = await makeOrg(t.db, 'Globex');
    const ids = [acme.id, globex.id];
    expect(await orgsTrusting(t.db, providerTrust('oidc:any'), ids)).toEqual(new Set(ids));
    expect(await orgsTrusting(t.db, providerTrust('oidc:globex', { orgs: ['globex'] }), ids)).toEqual(new Set([globex.id]));
    expect(await orgsTrusting(t.db, providerTrust('oidc:globex', { orgs: ['globex'] }), [acme.id])).toEqual(new Set());
    expect(await orgsTrusting(t.db, providerTrust('ldap', { orgs: ['nobody'] }), [])).toEqual(new Set());
  });

  it('warns at start-up about a trusted slug that names no organization', async () => {
    await makeOrg(t.db, 'Initech');
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (b: Buffer) => lines.push(...b.toString().trim().split('\n')));
    const config = loadConfig({
      OIDC_PROVIDERS: 'okta,partner',
      OIDC_OKTA_ISSUER: 'https://okta.example',
      OIDC_OKTA_CLIENT_ID: 'x',
      OIDC_PARTNER_ISSUER: 'https://partner.example',
      OIDC_PARTNER_CLIENT_ID: 'y',
      OIDC_PARTNER_ORGS: 'initech,initek',
    } as NodeJS.ProcessEnv);
    await warnUnknownTrustedOrgs(t.db, config, createLogger('info', out));
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 40, source: 'oidc:partner', unknown: ['initek'] }),
    ]);
  });
});
