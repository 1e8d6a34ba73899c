import { describe, expect, it } from 'vitest';
import { call, lastAudit, useCast, type Cast, type Harness } from './harness.ts';

// Pending invitations as the Users page shows them (issue 12 §7): the teams they join,
// revoke, and resend (a new link, the old one dead).

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

const userRow = async (userName: string) => (await call(h, c.as.admin, 'GET', `${base}/users?q=${encodeURIComponent(userName)}`)).body.items.find((u: { userName: string }) => u.userName === userName);

describe('a pending invitation on the Users list', () => {
  it('carries its invitation: id, the teams it joins by name, and its expiry', async () => {
    const inv = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'nia@acme.example', teamIds: [c.teamA.id, c.teamB.id] });
    expect(inv.status).toBe(201);
    const u = await userRow('nia@acme.example');
    expect(u.status).toBe('pending');
    expect(u.teams).toEqual([]);
    expect(u.invitation).toEqual({
      id: inv.body.id,
      teams: [
        { id: c.teamB.id, name: 'Language' },
        { id: c.teamA.id, name: 'Vision' },
      ],
      createdAt: inv.body.createdAt,
      expiresAt: inv.body.expiresAt,
    });
    // Active members carry none.
    expect((await userRow('ada')).invitation).toBeNull();
  });

  it('resend gives a new link; the old one stops working; audited', async () => {
    const inv = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'oli@acme.example' });
    const again = await call(h, c.as.admin, 'POST', `${base}/invitations/${inv.body.id}/resend`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: inv.body.id, token: expect.stringMatching(/^obinv_/), link: expect.stringContaining('/auth/invite/obinv_') });
    expect(again.body.token).not.toBe(inv.body.token);
    expect((await fetch(`${h.baseUrl}${new URL(inv.body.link).pathname}`)).status).toBe(410);
    expect((await fetch(`${h.baseUrl}${new URL(again.body.link).pathname}`)).status).toBe(200);
    expect(await lastAudit(h, c.org.id, 'invitation.resend')).toMatchObject({ outcome: 'ok', target_id: inv.body.userId, actor_id: c.as.admin.accountId });
  });

  it('revoke removes the pending record; a revoked invitation cannot be resent', async () => {
    const inv = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'pat@acme.example' });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/invitations/${inv.body.id}`)).status).toBe(204);
    expect(await userRow('pat@acme.example')).toBeUndefined();
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations/${inv.body.id}/resend`);
    expect(r.status).toBe(410);
    expect(r.body.error.message).toBe('this invitation was revoked; invite them again');
  });

  it("another organization's admin can neither resend nor revoke it (404), and the link is unchanged", async () => {
    const inv = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'quy@acme.example' });
    const otherBase = `/api/v1/orgs/${c.other.slug}`;
    expect((await call(h, c.as.otherKey, 'POST', `${otherBase}/invitations/${inv.body.id}/resend`)).status).toBe(404);
    expect((await call(h, c.as.otherKey, 'DELETE', `${otherBase}/invitations/${inv.body.id}`)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}${new URL(inv.body.link).pathname}`)).status).toBe(200);
    // A member may not (403).
    expect((await call(h, c.as.member, 'POST', `${base}/invitations/${inv.body.id}/resend`)).status).toBe(403);
  });
});
