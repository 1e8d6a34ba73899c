import { describe, expect, it } from 'vitest';
import { linkRecord } from '../../src/domain/accounts.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { createApiKey } from '../../src/domain/service-accounts.ts';
import { makeMember, testActor } from '../support/factories.ts';
import { call, makeSession, useCast, type Cast, type Harness } from './harness.ts';

let h: Harness;
let c: Cast;
useCast((run) => ({ h, c } = run));

describe('authentication', () => {
  it('refuses a request with neither session nor key: 401 with WWW-Authenticate', async () => {
    const r = await call(h, null, 'GET', '/api/v1/me');
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 400 for a malformed Authorization header and 401 for an unknown key', async () => {
    expect((await call(h, null, 'GET', '/api/v1/me', undefined, { authorization: 'Basic abc' })).body.error.code).toBe('bad_request');
    const r = await call(h, { apiKey: 'obkey_nope' }, 'GET', '/api/v1/me');
    expect(r.status).toBe(401);
  });

  it('refuses a cookie signed with another secret', async () => {
    const forged = { ...c.as.admin, cookie: c.as.admin.cookie.replace(/\.[^.]+$/, '.AAAA') };
    expect((await call(h, forged, 'GET', '/api/v1/me')).status).toBe(401);
  });

  it('GET /me names the person, their organizations and hands out the CSRF token', async () => {
    const r = await call(h, c.as.admin, 'GET', '/api/v1/me');
    expect(r.status).toBe(200);
    expect(r.body.user.userName).toBe('ada@acme.example');
    expect(r.body.orgs).toEqual([expect.objectContaining({ slug: c.org.slug, role: 'admin', status: 'active' })]);
    expect(r.body.csrfToken).toBe(c.as.admin.csrf);
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('GET /me with an admin API key names the key and its organization', async () => {
    const r = await call(h, c.as.adminKey, 'GET', '/api/v1/me');
    expect(r.body).toMatchObject({ user: null, orgs: [{ id: c.org.id, role: 'admin' }] });
    expect(r.body.csrfToken).toBeUndefined();
  });

  it('deactivation in one organization ends access there at once and leaves the person\'s other organization and session alone', async () => {
    // Vera also belongs to the other organization, through a record linked to the same account.
    const there = (await makeMember(h.t.db, c.other.id, { userName: 'vera@acme.example', orgRole: 'member' })).user;
    await runInTransaction(h.t.db, testActor, async (tx) => linkRecord(tx, there, c.as.orgViewer.accountId, 'operator'));
    const { key } = await runInTransaction(h.t.db, testActor, (tx) => createApiKey(tx, c.org.id, { userId: c.orgViewer.id }, 'vera'));
    expect((await call(h, { apiKey: key }, 'GET', `/api/v1/orgs/${c.org.slug}/me`)).status).toBe(200);

    const r = await call(h, c.as.admin, 'POST', `/api/v1/orgs/${c.org.slug}/users/${c.orgViewer.id}/deactivate`);
    expect(r.status).toBe(200);
    expect((await call(h, c.as.orgViewer, 'GET', `/api/v1/orgs/${c.org.slug}/teams`)).status).toBe(403);
    expect((await call(h, { apiKey: key }, 'GET', `/api/v1/orgs/${c.org.slug}/me`)).status).toBe(401);
    const me = await call(h, c.as.orgViewer, 'GET', '/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.orgs.map((o: { slug: string; status: string }) => [o.slug, o.status]).sort()).toEqual([[c.org.slug, 'deactivated'], [c.other.slug, 'active']].sort());
    expect((await call(h, c.as.orgViewer, 'GET', `/api/v1/orgs/${c.other.slug}/me`)).status).toBe(200);
    expect(await h.t.db('sessions').where({ sid: c.as.orgViewer.sid }).first()).toBeTruthy();
    await call(h, c.as.admin, 'POST', `/api/v1/orgs/${c.org.slug}/users/${c.orgViewer.id}/reactivate`);
    expect((await call(h, c.as.orgViewer, 'GET', `/api/v1/orgs/${c.org.slug}/teams`)).status).toBe(200);
  });
});

describe('CSRF on cookie-authenticated writes', () => {
  const path = () => `/api/v1/orgs/${c.org.slug}/teams`;
  it('refuses a write without the token', async () => {
    const r = await call(h, c.as.admin, 'POST', path(), { name: 'No token' }, { 'x-csrf-token': '' });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('csrf');
    expect(await h.t.db('teams').where({ name: 'No token' }).first()).toBeUndefined();
  });
  it('refuses a write with another session\'s token', async () => {
    const r = await call(h, c.as.admin, 'POST', path(), { name: 'Wrong token' }, { 'x-csrf-token': c.as.member.csrf });
    expect(r.body.error.code).toBe('csrf');
  });
  it('accepts the session\'s own token', async () => {
    expect((await call(h, c.as.admin, 'POST', path(), { name: 'Right token' })).status).toBe(201);
  });
  it('needs no token with an API key (a browser never sends one by itself)', async () => {
    expect((await call(h, c.as.adminKey, 'POST', path(), { name: 'By key' })).status).toBe(201);
  });
  it('reads need no token', async () => {
    expect((await call(h, c.as.admin, 'GET', path(), undefined, { 'x-csrf-token': '' })).status).toBe(200);
  });
});

describe('the CSRF token\'s life', () => {
  it('is created on first GET /me, kept in the server-side session, and then accepted', async () => {
    const s = await makeSession(h, c.teamAdmin.id);
    await h.t.db('sessions').where({ sid: s.sid }).update({
      data: JSON.stringify({ ...(await h.t.db('sessions').where({ sid: s.sid }).first()).data, csrfToken: undefined }),
    });
    const stale = await call(h, s, 'PATCH', `/api/v1/orgs/${c.org.slug}/teams/${c.teamA.id}`, { privacy: 'team' }, { 'x-csrf-token': s.csrf });
    expect(stale.body.error.code).toBe('csrf');
    const me = await call(h, { ...s, csrf: '' }, 'GET', '/api/v1/me');
    expect(me.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await h.t.db('sessions').where({ sid: s.sid }).first()).data.csrfToken).toBe(me.body.csrfToken);
    expect((await call(h, s, 'GET', '/api/v1/me')).body.csrfToken).toBe(me.body.csrfToken);
    const ok = await call(h, s, 'PATCH', `/api/v1/orgs/${c.org.slug}/teams/${c.teamA.id}`, { privacy: 'team' }, { 'x-csrf-token': me.body.csrfToken });
    expect(ok.status).toBe(200);
  });
});

describe('organization scope', () => {
  it('hides an organization from people who are not in it (404)', async () => {
    const r = await call(h, c.as.outsider, 'GET', `/api/v1/orgs/${c.org.slug}`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });
  it('an admin API key sees only its own organization', async () => {
    expect((await call(h, c.as.otherKey, 'GET', `/api/v1/orgs/${c.org.slug}/users`)).status).toBe(403);
    expect((await call(h, c.as.adminKey, 'GET', `/api/v1/orgs/${c.org.id}/users`)).status).toBe(200);
  });
  it('answers unknown routes with the one error shape', async () => {
    const r = await call(h, c.as.admin, 'GET', '/api/v1/nope');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: 'not_found', message: 'No such address in the admin API.' } });
  });
  it('answers malformed JSON with 400 bad_request', async () => {
    const res = await fetch(`${h.baseUrl}/api/v1/orgs/${c.org.slug}/teams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.as.adminKey.apiKey}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });
  it('records the person\'s activity when they use the organization', async () => {
    await call(h, c.as.member, 'GET', `/api/v1/orgs/${c.org.slug}/me`);
    const m = await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.member.id }).first();
    expect(m.last_active_at).not.toBeNull();
    expect(m.days_active).toBe(1);
  });
});
