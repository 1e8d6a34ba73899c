import { describe, expect, it } from 'vitest';
import { createAccount } from '../../src/domain/accounts.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { call, makeSession, useCast, type Cast, type Harness } from '../api/harness.ts';
import { testActor } from '../support/factories.ts';

// Review (admin API): what an admin does to a pending invitee through the admin API holds
// when the invitee later opens the invitation link. The link must not hand back a role
// the admin took away, nor undo a deactivation.

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

/** The invitee signs in (an account with the invited address) and accepts the link. */
async function acceptAs(email: string, link: string) {
  const account = await runInTransaction(h.t.db, testActor, (tx) => createAccount(tx, { email }));
  const s = await makeSession(h, account.id);
  const path = new URL(link).pathname;
  const page = await fetch(`${h.baseUrl}${path}`, { headers: { cookie: s.cookie } });
  const r = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: { cookie: s.cookie } });
  return { preview: { status: page.status, text: await page.text() }, status: r.status, session: s };
}

const membership = (recordId: string) => h.t.db('memberships').where({ org_id: c.org.id, user_id: recordId }).first('org_role', 'status');

describe('a pending invitee changed through the admin API', () => {
  it('invited as admin, then made member before accepting: accepting leaves them member', async () => {
    const inv = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'ivy@acme.example', orgRole: 'admin' });
    expect(inv.status).toBe(201);
    const demoted = await call(h, c.as.admin, 'PATCH', `${base}/users/${inv.body.userId}`, { orgRole: 'member' });
    expect(demoted.status).toBe(200);
    expect(demoted.body.orgRole).toBe('member');

    const a = await acceptAs('ivy@acme.example', inv.body.link);
    expect(a.preview.text).not.toMatch(/\badmin\b/i);
    expect(a.status).toBe(200);
    expect(await membership(inv.body.userId)).toEqual({ org_role: 'member', status: 'active' });
    // So they administer nothing.
    expect((await call(h, a.session, 'GET', `${base}/users`)).status).toBe(403);
  });

  it('invited as member, then made admin before accepting: accepting keeps them admin', async () => {
    const inv = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'jon@acme.example', orgRole: 'member' });
    expect((await call(h, c.as.admin, 'PATCH', `${base}/users/${inv.body.userId}`, { orgRole: 'admin' })).status).toBe(200);
    expect((await acceptAs('jon@acme.example', inv.body.link)).status).toBe(200);
    expect(await membership(inv.body.userId)).toEqual({ org_role: 'admin', status: 'active' });
  });

  it('deactivated before accepting: the link no longer works and they stay deactivated', async () => {
    const inv = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'kim@acme.example' });
    const off = await call(h, c.as.admin, 'POST', `${base}/users/${inv.body.userId}/deactivate`);
    expect(off.status).toBe(200);
    expect(off.body.status).toBe('deactivated');

    const a = await acceptAs('kim@acme.example', inv.body.link);
    expect(a.preview.status).toBe(410);
    expect(a.status).toBe(410);
    expect(await membership(inv.body.userId)).toEqual({ org_role: 'member', status: 'deactivated' });
    expect((await call(h, a.session, 'GET', `${base}/teams`)).status).toBe(404);
  });
});
