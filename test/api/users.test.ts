import { describe, expect, it } from 'vitest';
import { createAccount } from '../../src/domain/accounts.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { testActor } from '../support/factories.ts';
import { call, lastAudit, makeSession, useCast, type Cast, type Harness } from './harness.ts';

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('GET /users', () => {
  it('lists members with role, seat, teams, status and activity', async () => {
    const r = await call(h, c.as.admin, 'GET', `${base}/users`);
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(5);
    const tess = r.body.items.find((u: { userName: string }) => u.userName === 'tess');
    expect(tess).toMatchObject({
      id: c.teamAdmin.id,
      email: 'tess@acme.example',
      orgRole: 'member',
      modelsSeat: 'full',
      status: 'active',
      teams: [{ id: c.teamA.id, name: 'Vision', role: 'admin', customRoleId: null }],
      activity: { addedAt: expect.any(String), lastActiveAt: null, daysActive: 0 },
    });
  });

  it('searches name, username and email, case-insensitively, with LIKE characters taken literally', async () => {
    expect((await call(h, c.as.admin, 'GET', `${base}/users?q=TESS`)).body.items.map((u: { userName: string }) => u.userName)).toEqual(['tess']);
    expect((await call(h, c.as.admin, 'GET', `${base}/users?q=acme.example`)).body.total).toBe(5);
    expect((await call(h, c.as.admin, 'GET', `${base}/users?q=%25`)).body.total).toBe(0);
  });

  it('filters by status and role and pages', async () => {
    expect((await call(h, c.as.admin, 'GET', `${base}/users?role=admin`)).body.items.map((u: { userName: string }) => u.userName)).toEqual(['ada']);
    const p1 = await call(h, c.as.admin, 'GET', `${base}/users?page=1&pageSize=2`);
    const p3 = await call(h, c.as.admin, 'GET', `${base}/users?page=3&pageSize=2`);
    expect(p1.body.items).toHaveLength(2);
    expect(p3.body.items).toHaveLength(1);
    expect(p1.body.total).toBe(5);
  });

  it('refuses bad query parameters with 422 and the parameter named', async () => {
    const r = await call(h, c.as.admin, 'GET', `${base}/users?pageSize=1000&status=gone`);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid');
    expect(r.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['pageSize', 'status']);
  });

  it('GET /users/:id and its activity summary; 404 for strangers and non-ids', async () => {
    const r = await call(h, c.as.admin, 'GET', `${base}/users/${c.member.id}/activity`);
    expect(r.body).toEqual({ addedAt: expect.any(String), lastActiveAt: null, daysActive: 0 });
    expect((await call(h, c.as.admin, 'GET', `${base}/users/${c.outsider.id}`)).status).toBe(404);
    expect((await call(h, c.as.admin, 'GET', `${base}/users/not-an-id`)).status).toBe(404);
  });
});

describe('invitations', () => {
  it('invites by email with a role and teams: a pending member, a one-time token, an audit row', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'nina@acme.example', orgRole: 'viewer', teamIds: [c.teamA.id] });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`${base}/invitations/${r.body.id}`);
    expect(r.body).toMatchObject({ orgRole: 'viewer', teamIds: [c.teamA.id], token: expect.stringMatching(/^obinv_/), user: { status: 'pending', email: 'nina@acme.example' } });
    const inv = await h.t.db('invitations').where({ id: r.body.id }).first();
    expect(inv.token_hash).not.toContain(r.body.token);
    const a = await lastAudit(h, c.org.id, 'invitation.create');
    expect(a).toMatchObject({ actor_type: 'user', actor_id: c.as.admin.accountId, actor_label: 'ada@acme.example', target_id: r.body.userId, outcome: 'ok' });
    expect((await call(h, c.as.admin, 'GET', `${base}/invitations`)).body.items.map((i: { id: string }) => i.id)).toContain(r.body.id);
  });

  it('the invitation link: GET shows it without using it up and asks for a sign-in; only the invitee, signed in, accepts it once', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'pia@acme.example', orgRole: 'viewer', teamIds: [c.teamA.id] });
    expect(r.body.link).toBe(`http://127.0.0.1/auth/invite/${r.body.token}`);
    const path = new URL(r.body.link).pathname;
    // a link preview or scanner fetching the page changes nothing, and is asked to sign in
    for (let i = 0; i < 2; i++) {
      const page = await fetch(`${h.baseUrl}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('cache-control')).toBe('no-store');
      const text = await page.text();
      expect(text).toContain('Join Acme');
      expect(text).toContain('pia@acme.example');
      expect(text).toContain(`href="/login?returnTo=${encodeURIComponent(path)}"`);
      expect(text).not.toContain('method="post"');
    }
    // holding the link is not enough: not signed in → 401; signed in as someone else → 403
    expect((await fetch(`${h.baseUrl}${path}`, { method: 'POST' })).status).toBe(401);
    const stranger = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: { cookie: c.as.member.cookie } });
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain('This invitation is for pia@acme.example');
    expect(await h.t.db('memberships').where({ org_id: c.org.id, user_id: r.body.userId }).first()).toMatchObject({ status: 'pending' });
    expect(await lastAudit(h, c.org.id, 'invitation.accept')).toMatchObject({ outcome: 'refused', target_id: r.body.userId, actor_id: c.as.member.accountId });

    const pia = await runInTransaction(h.t.db, testActor, (tx) => createAccount(tx, { email: 'Pia@acme.example' }));
    const session = await makeSession(h, pia.id);
    const page = await fetch(`${h.baseUrl}${path}`, { headers: { cookie: session.cookie } });
    expect(await page.text()).toContain(`action="${path}"`);
    const accepted = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: { cookie: session.cookie } });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('You joined Acme');
    expect(await h.t.db('memberships').where({ org_id: c.org.id, user_id: r.body.userId }).first()).toMatchObject({ status: 'active', org_role: 'viewer' });
    expect(await h.t.db('users').where({ id: r.body.userId }).first()).toMatchObject({ account_id: pia.id, linked_by: 'invitation' });
    expect(await h.t.db('team_members').where({ team_id: c.teamA.id, user_id: r.body.userId }).first()).toMatchObject({ role: 'member' });
    expect(await lastAudit(h, c.org.id, 'invitation.accept')).toMatchObject({ outcome: 'ok', actor_type: 'user', actor_id: pia.id, target_id: r.body.userId, after: { invitationId: r.body.id } });
    // used up: both GET and POST now say so (410), and nothing changes
    for (const method of ['GET', 'POST']) {
      const again = await fetch(`${h.baseUrl}${path}`, { method, headers: { cookie: session.cookie } });
      expect(again.status).toBe(410);
      expect(await again.text()).toContain('invalid, expired, revoked or already used');
    }
    // unknown or malformed tokens, and revoked invitations, are 410 too — never 404 or 500
    const revoked = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'quin@acme.example' });
    await call(h, c.as.admin, 'DELETE', `${base}/invitations/${revoked.body.id}`);
    for (const bad of [new URL(revoked.body.link).pathname, `/auth/invite/obinv_${'A'.repeat(43)}`, '/auth/invite/not-a-token']) {
      expect((await fetch(`${h.baseUrl}${bad}`)).status).toBe(410);
      expect((await fetch(`${h.baseUrl}${bad}`, { method: 'POST', headers: { cookie: session.cookie } })).status).toBe(410);
    }
  });

  it('an expired invitation link is refused (410) and leaves the membership pending', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'rex@acme.example' });
    await h.t.db('invitations').where({ id: r.body.id }).update({ expires_at: new Date(Date.now() - 1000) });
    const path = new URL(r.body.link).pathname;
    const rex = await makeSession(h, (await runInTransaction(h.t.db, testActor, (tx) => createAccount(tx, { email: 'rex@acme.example' }))).id);
    expect((await fetch(`${h.baseUrl}${path}`)).status).toBe(410);
    expect((await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: { cookie: rex.cookie } })).status).toBe(410);
    expect(await h.t.db('memberships').where({ org_id: c.org.id, user_id: r.body.userId }).first()).toMatchObject({ status: 'pending' });
  });

  it('an address another organization has is invited as a new record here; the answer shows only what was typed', async () => {
    await h.t.db('users').where({ id: c.outsider.id }).update({ display_name: 'Olga of Other Org', title: 'CFO' });
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'olga@other.example' });
    expect(r.status).toBe(201);
    expect(r.body.userId).not.toBe(c.outsider.id);
    expect(r.body.invitee).toBe('olga@other.example');
    expect(JSON.stringify(r.body)).not.toContain('Olga of Other Org');
    expect(JSON.stringify(r.body)).not.toContain('CFO');
    expect(await h.t.db('users').where({ id: r.body.userId }).first()).toMatchObject({ org_id: c.org.id, account_id: null });
  });

  it('refuses a username (422: invitations go to an address), a member twice (409), bad input (422)', async () => {
    const byName = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'olga' });
    expect(byName.status).toBe(422);
    expect(byName.body.error.message).toContain('not an email address');
    const dup = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'max@acme.example' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('uniqueness');
    const bad = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: '', orgRole: 'owner', extra: 1 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.issues.length).toBeGreaterThanOrEqual(2);
  });

  it('revokes an invitation: the pending membership goes, the audit row stays', async () => {
    const inv = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'otto@acme.example' });
    const r = await call(h, c.as.admin, 'DELETE', `${base}/invitations/${inv.body.id}`);
    expect(r.status).toBe(204);
    expect(await h.t.db('memberships').where({ org_id: c.org.id, user_id: inv.body.userId }).first()).toBeUndefined();
    expect(await lastAudit(h, c.org.id, 'invitation.revoke')).toMatchObject({ target_id: inv.body.userId });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/invitations/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('refuses an invitation beyond the seat license with 409 seat_limit, and audits the refusal', async () => {
    await h.t.db('organizations').where({ id: c.org.id }).update({ models_full_seats: 1 });
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'full@acme.example', modelsSeat: 'full' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('seat_limit');
    expect(await lastAudit(h, c.org.id)).toMatchObject({ outcome: 'refused', action: 'member.add' });
    await h.t.db('organizations').where({ id: c.org.id }).update({ models_full_seats: null });
  });
});

describe('PATCH /users/:id (role and seat)', () => {
  it('changes the organization role and seat in one transaction, one audit row each', async () => {
    const r = await call(h, c.as.admin, 'PATCH', `${base}/users/${c.member.id}`, { orgRole: 'viewer', modelsSeat: 'viewer', weaveAccess: 'none' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ orgRole: 'viewer', modelsSeat: 'viewer', weaveAccess: 'none' });
    expect(await lastAudit(h, c.org.id, 'member.role')).toMatchObject({ target_id: c.member.id, before: expect.objectContaining({ orgRole: 'member' }), after: expect.objectContaining({ orgRole: 'viewer' }) });
    expect(await lastAudit(h, c.org.id, 'member.seat')).toMatchObject({ target_id: c.member.id });
    expect(await lastAudit(h, c.org.id, 'member.weave_access')).toMatchObject({ target_id: c.member.id });
    await call(h, c.as.admin, 'PATCH', `${base}/users/${c.member.id}`, { orgRole: 'member', modelsSeat: 'full', weaveAccess: 'full' });
  });

  it('refuses an empty or unknown change with 422', async () => {
    expect((await call(h, c.as.admin, 'PATCH', `${base}/users/${c.member.id}`, {})).status).toBe(422);
    expect((await call(h, c.as.admin, 'PATCH', `${base}/users/${c.member.id}`, { orgRole: 'owner' })).status).toBe(422);
  });

  it('refuses demoting the last admin with 409 naming the rule, audits it as refused, and answers the same on retry', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await call(h, c.as.admin, 'PATCH', `${base}/users/${c.admin.id}`, { orgRole: 'member' });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('last_admin');
      expect(r.body.error.message).toMatch(/last-admin rule/);
      expect(await lastAudit(h, c.org.id)).toMatchObject({ action: 'member.role', outcome: 'refused', target_id: c.admin.id, actor_id: c.as.admin.accountId, reason: expect.stringMatching(/last-admin rule/) });
    }
    expect((await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.admin.id }).first()).org_role).toBe('admin');
  });

  it('refuses deactivating and removing the last admin too', async () => {
    expect((await call(h, c.as.adminKey, 'POST', `${base}/users/${c.admin.id}/deactivate`)).body.error.code).toBe('last_admin');
    expect((await call(h, c.as.adminKey, 'DELETE', `${base}/users/${c.admin.id}`)).body.error.code).toBe('last_admin');
    expect(await lastAudit(h, c.org.id)).toMatchObject({ action: 'member.remove', outcome: 'refused', actor_type: 'api_key' });
  });

  it('a role and a seat that cannot both apply leave neither applied', async () => {
    await h.t.db('organizations').where({ id: c.org.id }).update({ models_viewer_seats: 0 });
    const r = await call(h, c.as.admin, 'PATCH', `${base}/users/${c.member.id}`, { orgRole: 'admin', modelsSeat: 'viewer' });
    expect(r.status).toBe(409);
    expect((await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.member.id }).first()).org_role).toBe('member');
    await h.t.db('organizations').where({ id: c.org.id }).update({ models_viewer_seats: null });
  });
});

describe('the last-admin rule under concurrency', () => {
  it('two admins demoting each other at once: exactly one succeeds', async () => {
    const org2 = `/api/v1/orgs/${c.other.slug}`;
    const second = await call(h, c.as.outsider, 'POST', `${org2}/invitations`, { emailOrUserName: 'ada@acme.example', orgRole: 'admin' });
    await h.t.db('memberships').where({ org_id: c.other.id, user_id: second.body.userId }).update({ status: 'active' });
    await h.t.db('users').where({ id: second.body.userId }).update({ account_id: c.as.admin.accountId });
    const [a, b] = await Promise.all([
      call(h, c.as.outsider, 'PATCH', `${org2}/users/${second.body.userId}`, { orgRole: 'member' }),
      call(h, c.as.admin, 'PATCH', `${org2}/users/${c.outsider.id}`, { orgRole: 'member' }),
    ]);
    // The loser is refused either by the guard (409, when both passed authorization
    // before either committed) or by can() (403, when it was no longer an admin by then).
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const admins = await h.t.db('memberships').where({ org_id: c.other.id, org_role: 'admin', status: 'active' });
    expect(admins).toHaveLength(1);
  });
});

describe('status and removal', () => {
  it('deactivates (ending access here, not the session) and reactivates, with audit rows', async () => {
    const d = await call(h, c.as.admin, 'POST', `${base}/users/${c.viewOnly.id}/deactivate`);
    expect(d.body.status).toBe('deactivated');
    expect(await h.t.db('sessions').where({ sid: c.as.viewOnly.sid }).first()).toBeDefined();
    expect((await call(h, c.as.viewOnly, 'GET', `${base}/teams`)).status).toBe(403);
    expect(await lastAudit(h, c.org.id, 'member.deactivate')).toMatchObject({ target_id: c.viewOnly.id, outcome: 'ok' });
    const a = await call(h, c.as.admin, 'POST', `${base}/users/${c.viewOnly.id}/reactivate`);
    expect(a.body.status).toBe('active');
    expect(await lastAudit(h, c.org.id, 'member.reactivate')).toMatchObject({ target_id: c.viewOnly.id });
  });

  it('removes a member (the record and its team places go, the account and the audit rows stay) and audits it', async () => {
    const inv = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'rita@acme.example' });
    const r = await call(h, c.as.admin, 'DELETE', `${base}/users/${inv.body.userId}`);
    expect(r.status).toBe(204);
    expect(await h.t.db('users').where({ id: inv.body.userId }).first()).toBeUndefined();
    expect(await h.t.db('invitations').where({ id: inv.body.id }).first()).toMatchObject({ user_id: null, invitee: 'rita@acme.example' });
    expect(await lastAudit(h, c.org.id, 'member.remove')).toMatchObject({ target_id: inv.body.userId, outcome: 'ok', before: { userName: 'rita@acme.example' } });
    // the userName is free again
    expect((await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'rita@acme.example' })).status).toBe(201);
    expect((await call(h, c.as.admin, 'DELETE', `${base}/users/${inv.body.userId}`)).status).toBe(404);
  });
});
