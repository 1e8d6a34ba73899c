import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { approveDomain } from '../../src/domain/domain-verification.ts';
import { makeOrg, testActor } from '../support/factories.ts';
import { call, lastAudit, makeCast, startHarness, useCast, type Cast, type Harness } from './harness.ts';

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('organization', () => {
  it('GET shows name, settings, domains, seat license and use', async () => {
    const r = await call(h, c.as.member, 'GET', base);
    expect(r.body).toMatchObject({ id: c.org.id, name: 'Acme Research', slug: c.org.slug, domains: [], seatLicense: { fullSeats: null, viewerSeats: null }, seatsUsed: { full: 4, viewer: 1, none: 0 } });
    expect((await call(h, c.as.member, 'GET', `/api/v1/orgs/${c.org.id}`)).body.id).toBe(c.org.id);
  });

  it('GET /orgs lists the caller\'s organizations, and every one for a system admin', async () => {
    expect((await call(h, c.as.member, 'GET', '/api/v1/orgs')).body.items.map((o: { id: string }) => o.id)).toEqual([c.org.id]);
    expect((await call(h, c.as.sysAdmin, 'GET', '/api/v1/orgs')).body.items).toHaveLength(2);
  });

  it('renames, with an audit row; refuses a taken name (409) and an empty one (422)', async () => {
    const r = await call(h, c.as.admin, 'PATCH', base, { name: 'Acme Labs' });
    expect(r.body.name).toBe('Acme Labs');
    expect(await lastAudit(h, c.org.id, 'org.rename')).toMatchObject({ before: { name: 'Acme Research' }, after: { name: 'Acme Labs' }, actor_id: c.as.admin.accountId });
    expect((await call(h, c.as.admin, 'PATCH', base, { name: 'other org' })).body.error.code).toBe('uniqueness');
    expect((await call(h, c.as.admin, 'PATCH', base, { name: '  ' })).status).toBe(422);
  });

  it('changes settings; auto-provisioning and domain capture only when the deployment allows them', async () => {
    const refused = await call(h, c.as.admin, 'PATCH', `${base}/settings`, { autoProvisioning: true });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/deployment does not allow auto-provisioning/);
    const ok = await call(h, c.as.admin, 'PATCH', `${base}/settings`, { teamJoinAtSignup: true, defaultModelsSeat: 'viewer' });
    expect(ok.body.settings).toMatchObject({ teamJoinAtSignup: true, defaultModelsSeat: 'viewer', autoProvisioning: false });
    expect(await lastAudit(h, c.org.id, 'org.settings')).toMatchObject({ after: { team_join_at_signup: true, default_models_seat: 'viewer' } });
    expect((await call(h, c.as.admin, 'PATCH', `${base}/settings`, {})).status).toBe(422);
    expect((await call(h, c.as.admin, 'PATCH', `${base}/settings`, { seatOverflow: 'maybe' })).status).toBe(422);
  });

  it('on a deployment that allows it, an organization may turn auto-provisioning on', async () => {
    const h2 = await startHarness({ AUTO_PROVISIONING: 'true' });
    try {
      const c2 = await makeCast(h2);
      const r = await call(h2, c2.as.admin, 'PATCH', `/api/v1/orgs/${c2.org.slug}/settings`, { autoProvisioning: true, domainCapture: true });
      expect(r.status).toBe(200);
      expect(r.body.settings).toMatchObject({ autoProvisioning: true, domainCapture: true });
    } finally {
      await h2.close();
    }
  });
});

describe('domains and default team', () => {
  it('claims (normalised, pending), lists and releases a domain, with audit rows', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'Acme.Example.' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ domain: 'acme.example', status: 'pending', challenge: { name: '_orgbridge-challenge.acme.example' } });
    expect((await call(h, c.as.admin, 'GET', `${base}/domains`)).body.items).toEqual([r.body]);
    expect(await lastAudit(h, c.org.id, 'org.domain.claim')).toMatchObject({ target_id: 'acme.example' });
    await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'tmp.example' });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/domains/tmp.example`)).status).toBe(204);
    expect(await lastAudit(h, c.org.id, 'org.domain.release')).toMatchObject({ target_id: 'tmp.example' });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/domains/tmp.example`)).status).toBe(404);
  });

  it('a domain belongs to one organization: once verified, another\'s claim is 409', async () => {
    await runInTransaction(h.t.db, testActor, (tx) => approveDomain(tx, c.org.id, 'acme.example'));
    const r = await call(h, c.as.outsider, 'POST', `/api/v1/orgs/${c.other.slug}/domains`, { domain: 'acme.example' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('conflict');
  });

  it('refuses something that is not a domain (422)', async () => {
    expect((await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'not a domain' })).status).toBe(422);
    expect((await call(h, c.as.admin, 'POST', `${base}/domains`, {})).status).toBe(422);
  });

  it('sets and clears the default team; refuses another organization\'s team (404)', async () => {
    const r = await call(h, c.as.admin, 'PUT', `${base}/default-team`, { teamId: c.teamA.id });
    expect(r.body.defaultTeamId).toBe(c.teamA.id);
    expect(await lastAudit(h, c.org.id, 'org.default_team')).toMatchObject({ after: { defaultTeamId: c.teamA.id } });
    expect((await call(h, c.as.admin, 'PUT', `${base}/default-team`, { teamId: null })).body.defaultTeamId).toBeNull();
    const foreign = await makeOrg(h.t.db);
    const t = await h.t.db('teams').insert({ id: '11111111-1111-4111-8111-111111111111', org_id: foreign.id, name: 'x' }).returning('id');
    expect((await call(h, c.as.admin, 'PUT', `${base}/default-team`, { teamId: t[0].id })).status).toBe(404);
    expect((await call(h, c.as.admin, 'PUT', `${base}/default-team`, { teamId: 'x' })).status).toBe(422);
  });
});

describe('seats and billing admin', () => {
  it('shows the license and use; a system admin sets the license (audited)', async () => {
    expect((await call(h, c.as.admin, 'GET', `${base}/seats`)).body).toEqual({ license: { fullSeats: null, viewerSeats: null }, used: { full: 4, viewer: 1, none: 0 } });
    const r = await call(h, c.as.sysAdmin, 'PUT', `${base}/seats`, { fullSeats: 10, viewerSeats: 5 });
    expect(r.body.license).toEqual({ fullSeats: 10, viewerSeats: 5 });
    expect(await lastAudit(h, c.org.id, 'org.seat_license')).toMatchObject({ actor_id: c.as.sysAdmin.accountId, after: { fullSeats: 10, viewerSeats: 5 } });
    expect((await call(h, c.as.sysAdmin, 'PUT', `${base}/seats`, { fullSeats: -1, viewerSeats: 0 })).status).toBe(422);
  });

  it('assigns the billing admin: an active admin only', async () => {
    const r = await call(h, c.as.admin, 'PUT', `${base}/billing-admin`, { userId: c.admin.id });
    expect(r.body.billingAdminUserId).toBe(c.admin.id);
    expect(await lastAudit(h, c.org.id, 'org.billing_admin')).toMatchObject({ after: { billingAdmin: c.admin.id } });
    const refused = await call(h, c.as.admin, 'PUT', `${base}/billing-admin`, { userId: c.member.id });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/active organization admin/);
    expect((await call(h, c.as.admin, 'PUT', `${base}/billing-admin`, { userId: c.outsider.id })).status).toBe(404);
  });
});

describe('role groups', () => {
  it('maps an IdP group to an organization role and to a team role; lists; deletes', async () => {
    const a = await call(h, c.as.admin, 'POST', `${base}/role-groups`, { groupName: 'ml-admins', orgRole: 'admin' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ source: 'scim', groupName: 'ml-admins', orgRole: 'admin' }); // no source: SCIM
    const b = await call(h, c.as.admin, 'POST', `${base}/role-groups`, { groupName: 'vision-leads', teamId: c.teamA.id, teamRole: 'admin' });
    expect(b.body).toMatchObject({ teamId: c.teamA.id, teamRole: 'admin' });
    expect(await lastAudit(h, c.org.id, 'role_group.create')).toMatchObject({ target_id: b.body.id });
    expect((await call(h, c.as.admin, 'GET', `${base}/role-groups`)).body.items).toHaveLength(2);
    expect((await call(h, c.as.admin, 'POST', `${base}/role-groups`, { groupName: 'ML-Admins', orgRole: 'member' })).status).toBe(409);
    expect((await call(h, c.as.admin, 'POST', `${base}/role-groups`, { groupName: 'x', orgRole: 'admin', teamId: c.teamA.id })).status).toBe(422);
    expect((await call(h, c.as.admin, 'DELETE', `${base}/role-groups/${a.body.id}`)).status).toBe(204);
    expect(await lastAudit(h, c.org.id, 'role_group.delete')).toMatchObject({ target_id: a.body.id });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/role-groups/${a.body.id}`)).status).toBe(404);
  });

  it('each role group has a source: scim or a sign-in provider; the name is unique per source; the format is checked', async () => {
    const okta = await call(h, c.as.admin, 'POST', `${base}/role-groups`, { source: 'oidc:okta', groupName: 'vision-leads', teamId: c.teamA.id, teamRole: 'member' });
    expect(okta.status).toBe(201);
    expect(okta.body).toMatchObject({ source: 'oidc:okta', groupName: 'vision-leads' });
    expect(await lastAudit(h, c.org.id, 'role_group.create')).toMatchObject({ after: { source: 'oidc:okta', groupName: 'vision-leads' } });
    expect((await call(h, c.as.admin, 'POST', `${base}/role-groups`, { source: 'oidc:okta', groupName: 'Vision-Leads', teamId: c.teamA.id, teamRole: 'admin' })).status).toBe(409);
    const ldap = await call(h, c.as.admin, 'POST', `${base}/role-groups`, { source: 'ldap', groupName: 'CN=Vision Leads, OU=Groups,DC=acme,DC=example', orgRole: 'admin' });
    expect(ldap.status).toBe(201);
    expect(ldap.body.groupName).toBe('cn=Vision Leads,ou=Groups,dc=acme,dc=example');
    const bareName = await call(h, c.as.admin, 'POST', `${base}/role-groups`, { source: 'ldap', groupName: 'vision-leads', orgRole: 'admin' });
    expect([bareName.status, bareName.body.error.message]).toEqual([422, expect.stringContaining("the group's full DN")]);
    for (const source of ['okta', 'OIDC:okta', 'oidc:', 'saml:x', 42]) {
      const r = await call(h, c.as.admin, 'POST', `${base}/role-groups`, { source, groupName: 'x', orgRole: 'admin' });
      expect([r.status, r.body.error.code]).toEqual([422, 'invalid']);
    }
    const list = (await call(h, c.as.admin, 'GET', `${base}/role-groups`)).body;
    expect(list.items.map((g: { source: string; groupName: string }) => `${g.source} ${g.groupName}`)).toEqual([
      'ldap cn=Vision Leads,ou=Groups,dc=acme,dc=example',
      'oidc:okta vision-leads',
      'scim vision-leads',
    ]);
    // This deployment configures no sign-in provider: SCIM is the only source to offer.
    expect(list.sources).toEqual([{ source: 'scim', label: 'SCIM' }]);
  });

  it('offers as sources SCIM and the configured providers that trust the organization', async () => {
    const h2 = await startHarness({
      OIDC_PROVIDERS: 'okta,globex',
      OIDC_OKTA_ISSUER: 'https://acme.okta.example',
      OIDC_OKTA_CLIENT_ID: 'a',
      OIDC_OKTA_DISPLAY_NAME: 'Okta',
      OIDC_GLOBEX_ISSUER: 'https://login.globex.example',
      OIDC_GLOBEX_CLIENT_ID: 'b',
      OIDC_GLOBEX_ORGS: 'globex',
      LDAP_URL: 'ldaps://ldap.acme.example',
      LDAP_BIND_DN: 'cn=svc,dc=acme,dc=example',
      LDAP_BIND_PASSWORD: 'pw',
      LDAP_SEARCH_BASE: 'dc=acme,dc=example',
      LDAP_ORGS: 'acme-research',
    });
    try {
      const c2 = await makeCast(h2);
      const mine = await call(h2, c2.as.admin, 'GET', `/api/v1/orgs/${c2.org.slug}/role-groups`);
      expect(mine.body.sources).toEqual([
        { source: 'scim', label: 'SCIM' },
        { source: 'oidc:okta', label: 'Okta (OIDC)' },
        { source: 'ldap', label: 'LDAP directory' },
      ]);
      const other = await call(h2, c2.as.outsider, 'GET', `/api/v1/orgs/${c2.other.slug}/role-groups`);
      expect(other.body.sources.map((s: { source: string }) => s.source)).toEqual(['scim', 'oidc:okta']);
    } finally {
      await h2.close();
    }
  });
});

describe('admin API keys', () => {
  it('creates a key shown once (stored hashed) that works, lists it without the secret, revokes it', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/api-keys`, { label: 'terraform' });
    expect(r.status).toBe(201);
    expect(r.body.key).toMatch(/^obkey_/);
    const row = await h.t.db('api_keys').where({ id: r.body.id }).first();
    expect(row).toMatchObject({ kind: 'admin', org_id: c.org.id, created_by: c.as.admin.accountId });
    expect(row.token_hash).not.toBe(r.body.key);
    expect(await lastAudit(h, c.org.id, 'api_key.create')).toMatchObject({ target_id: r.body.id });
    const listed = (await call(h, c.as.admin, 'GET', `${base}/api-keys`)).body.items.find((k: { id: string }) => k.id === r.body.id);
    expect(listed).toMatchObject({ label: 'terraform', revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(r.body.key);
    expect((await call(h, { apiKey: r.body.key }, 'GET', `${base}/users`)).status).toBe(200);
    expect((await call(h, c.as.admin, 'DELETE', `${base}/api-keys/${r.body.id}`)).status).toBe(204);
    expect(await lastAudit(h, c.org.id, 'api_key.revoke')).toMatchObject({ target_id: r.body.id });
    expect((await call(h, { apiKey: r.body.key }, 'GET', `${base}/users`)).status).toBe(401);
    expect((await call(h, c.as.admin, 'DELETE', `${base}/api-keys/${r.body.id}`)).status).toBe(404);
    expect((await call(h, c.as.admin, 'POST', `${base}/api-keys`, { label: '' })).status).toBe(422);
  });

  it('a write by API key is audited with the key as actor', async () => {
    await call(h, c.as.adminKey, 'POST', `${base}/domains`, { domain: 'bykey.example' });
    expect(await lastAudit(h, c.org.id, 'org.domain.claim')).toMatchObject({ actor_type: 'api_key', actor_label: expect.stringMatching(/^admin API key/) });
  });
});

describe('SCIM tokens', () => {
  it('creates (shown once, hashed), lists (label, created, last used), revokes (audited)', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/scim-tokens`, { label: 'Okta' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ label: 'Okta', token: expect.stringMatching(/^obscim_/), lastUsedAt: null, revokedAt: null });
    expect((await h.t.db('scim_tokens').where({ id: r.body.id }).first()).token_hash).not.toBe(r.body.token);
    expect(await lastAudit(h, c.org.id, 'scim_token.create')).toMatchObject({ target_id: r.body.id, after: { label: 'Okta' } });
    const list = await call(h, c.as.admin, 'GET', `${base}/scim-tokens`);
    expect(list.body.items).toEqual([{ id: r.body.id, label: 'Okta', createdAt: expect.any(String), lastUsedAt: null, revokedAt: null }]);
    expect((await call(h, c.as.admin, 'DELETE', `${base}/scim-tokens/${r.body.id}`)).status).toBe(204);
    expect(await lastAudit(h, c.org.id, 'scim_token.revoke')).toMatchObject({ target_id: r.body.id });
    expect((await call(h, c.as.admin, 'GET', `${base}/scim-tokens`)).body.items[0].revokedAt).not.toBeNull();
    expect((await call(h, c.as.admin, 'POST', `${base}/scim-tokens`, { label: 'x'.repeat(101) })).status).toBe(422);
    expect((await call(h, c.as.admin, 'DELETE', `${base}/scim-tokens/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('another organization\'s token cannot be revoked from here', async () => {
    const other = await call(h, c.as.outsider, 'POST', `/api/v1/orgs/${c.other.slug}/scim-tokens`, { label: 'theirs' });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/scim-tokens/${other.body.id}`)).status).toBe(404);
  });
});
