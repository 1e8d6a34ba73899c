import { describe, expect, it } from 'vitest';
import { makeMember } from '../support/factories.ts';
import { call, makeSession, useCast, type Cast, type Harness } from '../api/harness.ts';

// Issue 14 item 3: with "members may invite" on, a team member adds people as `member`
// only; any other role is a role assignment (team.roles.assign), which only team admins
// and organization admins hold.

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('members who may invite', () => {
  it('add as member, never as admin or view-only; nothing is written when refused', async () => {
    expect((await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}`, { membersCanInvite: true })).status).toBe(200);
    const [p1, p2, p3] = await Promise.all(['pia', 'paz', 'pol'].map(async (n) => (await makeMember(h.t.db, c.org.id, { userName: n, email: `${n}@acme.example` })).user));

    for (const role of ['admin', 'view-only'] as const) {
      const audits = await h.t.db('audit_log').where({ org_id: c.org.id, action: 'team.members.add' }).count<{ n: number }[]>({ n: '*' });
      const r = await call(h, c.as.member, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: p1!.id, role });
      expect(r.status).toBe(403);
      expect(r.body.error.message).toMatch(/team\.roles\.assign/);
      expect(await h.t.db('team_members').where({ team_id: c.teamA.id, user_id: p1!.id }).first()).toBeUndefined();
      expect(await h.t.db('audit_log').where({ org_id: c.org.id, action: 'team.members.add' }).count<{ n: number }[]>({ n: '*' })).toEqual(audits);
    }

    const ok = await call(h, c.as.member, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: p1!.id });
    expect(ok.status).toBe(201);
    expect((await h.t.db('team_members').where({ team_id: c.teamA.id, user_id: p1!.id }).first()).role).toBe('member');
    expect((await call(h, c.as.member, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: p2!.id, role: 'member' })).status).toBe(201);

    // A team admin assigns roles, so adds with any.
    const byAdmin = await call(h, c.as.teamAdmin, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: p3!.id, role: 'admin' });
    expect(byAdmin.status).toBe(201);
    expect((await h.t.db('team_members').where({ team_id: c.teamA.id, user_id: p3!.id }).first()).role).toBe('admin');
  });

  it('a custom role may add "Add team members": its holder adds people as members of their own team, never as admins', async () => {
    const role = await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: 'Onboarder', base: 'member', permissions: ['team.members.add'] });
    expect(role.status, role.text).toBe(201);
    // "Assign roles" and "Remove members" are not a custom role's to hold.
    for (const p of ['team.roles.assign', 'team.members.remove']) {
      expect((await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: `With ${p}`, base: 'member', permissions: [p] })).status).toBe(422);
    }
    const holder = (await makeMember(h.t.db, c.org.id, { userName: 'onno', email: 'onno@acme.example' })).user;
    expect((await call(h, c.as.admin, 'POST', `${base}/teams/${c.teamB.id}/members`, { user: holder.id, customRoleId: role.body.id })).status).toBe(201);
    const as = await makeSession(h, holder.id);
    const [q1, q2] = await Promise.all(['quin', 'qiu'].map(async (n) => (await makeMember(h.t.db, c.org.id, { userName: n, email: `${n}@acme.example` })).user));

    const added = await call(h, as, 'POST', `${base}/teams/${c.teamB.id}/members`, { user: q1!.id });
    expect(added.status, added.text).toBe(201);
    expect((await h.t.db('team_members').where({ team_id: c.teamB.id, user_id: q1!.id }).first()).role).toBe('member');
    expect((await call(h, as, 'POST', `${base}/teams/${c.teamB.id}/members`, { user: q2!.id, role: 'admin' })).status).toBe(403);
    // Not in a team where they do not hold it.
    expect((await call(h, as, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: q2!.id })).status).toBe(403);
    expect(await h.t.db('team_members').where({ user_id: q2!.id })).toHaveLength(0);
  });
});
