import { describe, expect, it } from 'vitest';
import { call, lastAudit, useCast, type Cast, type Harness } from './harness.ts';

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('teams', () => {
  it('an admin sees every team; a member only their own', async () => {
    expect((await call(h, c.as.admin, 'GET', `${base}/teams`)).body.items.map((t: { name: string }) => t.name)).toEqual(['Language', 'Vision']);
    const mine = await call(h, c.as.member, 'GET', `${base}/teams`);
    expect(mine.body.items).toEqual([expect.objectContaining({ name: 'Vision', memberCount: 3, myRole: 'member' })]);
    expect((await call(h, c.as.orgViewer, 'GET', `${base}/teams`)).body.items).toEqual([]);
  });

  it('creates a team with name and storage type (201, Location, audit); refuses a duplicate name (409) and bad input (422)', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/teams`, { name: 'Robotics', storageType: 's3', privacy: 'team' });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`${base}/teams/${r.body.id}`);
    expect(r.body).toMatchObject({ name: 'Robotics', storageType: 's3', settings: { privacy: 'team', membersCanInvite: false, domainMatching: false } });
    expect(await lastAudit(h, c.org.id, 'team.create')).toMatchObject({ target_id: r.body.id, actor_id: c.as.admin.accountId });
    const dup = await call(h, c.as.admin, 'POST', `${base}/teams`, { name: 'ROBOTICS' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('uniqueness');
    expect((await call(h, c.as.admin, 'POST', `${base}/teams`, { name: '' })).status).toBe(422);
    expect((await call(h, c.as.admin, 'POST', `${base}/teams`, { name: 'x', privacy: 'secret' })).status).toBe(422);
  });

  it('a system admin creates a team in any organization', async () => {
    const r = await call(h, c.as.sysAdmin, 'POST', `${base}/teams`, { name: 'Ops' });
    expect(r.status).toBe(201);
    expect(await lastAudit(h, c.org.id, 'team.create')).toMatchObject({ actor_id: c.as.sysAdmin.accountId });
  });

  it('the team page lists members with roles and what the caller may do', async () => {
    const asTeamAdmin = await call(h, c.as.teamAdmin, 'GET', `${base}/teams/${c.teamA.id}`);
    expect(asTeamAdmin.body.members.map((m: { userName: string; role: string }) => `${m.userName}:${m.role}`)).toEqual(['max:member', 'tess:admin', 'vic:view-only']);
    expect(asTeamAdmin.body.can).toEqual({ addMembers: true, removeMembers: true, assignRoles: true, manageSettings: true, delete: false });
    const asMember = await call(h, c.as.member, 'GET', `${base}/teams/${c.teamA.id}`);
    expect(asMember.body.can).toEqual({ addMembers: false, removeMembers: false, assignRoles: false, manageSettings: false, delete: false });
    expect((await call(h, c.as.teamAdmin, 'GET', `${base}/teams/${c.teamB.id}`)).status).toBe(403);
    expect((await call(h, c.as.admin, 'GET', `${base}/teams/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('a team admin renames their team and changes its settings in one request (audited)', async () => {
    const r = await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}`, { name: 'Computer Vision', privacy: 'public', membersCanInvite: true, domainMatching: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Computer Vision', settings: { privacy: 'public', membersCanInvite: true, domainMatching: true } });
    expect(await lastAudit(h, c.org.id, 'team.rename')).toMatchObject({ actor_id: c.as.teamAdmin.accountId, after: { name: 'Computer Vision' } });
    expect(await lastAudit(h, c.org.id, 'team.settings')).toMatchObject({ target_id: c.teamA.id });
    expect((await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}`, {})).status).toBe(422);
    expect((await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}`, { name: 'Language' })).status).toBe(409);
  });

  it('a team admin adds an organization member by username or email, changes roles and removes (each audited)', async () => {
    const add = await call(h, c.as.teamAdmin, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: 'VERA@acme.example', role: 'view-only' });
    expect(add.status).toBe(201);
    expect(add.body.members.find((m: { userName: string }) => m.userName === 'vera')).toMatchObject({ role: 'view-only' });
    expect(await lastAudit(h, c.org.id, 'team.members.add')).toMatchObject({ actor_id: c.as.teamAdmin.accountId, after: { userIds: [c.orgViewer.id], role: 'view-only' } });
    const role = await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}/members/${c.orgViewer.id}`, { role: 'member' });
    expect(role.body.members.find((m: { userName: string }) => m.userName === 'vera').role).toBe('member');
    expect(await lastAudit(h, c.org.id, 'team.members.role')).toMatchObject({ before: { role: 'view-only' }, after: { role: 'member' } });
    expect((await call(h, c.as.teamAdmin, 'DELETE', `${base}/teams/${c.teamA.id}/members/${c.orgViewer.id}`)).status).toBe(204);
    expect(await lastAudit(h, c.org.id, 'team.members.remove')).toMatchObject({ target_id: c.teamA.id });
    expect((await call(h, c.as.teamAdmin, 'DELETE', `${base}/teams/${c.teamA.id}/members/${c.orgViewer.id}`)).status).toBe(404);
  });

  it('refuses adding someone outside the organization (404) and bad roles (422)', async () => {
    expect((await call(h, c.as.teamAdmin, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: 'olga' })).status).toBe(404);
    expect((await call(h, c.as.teamAdmin, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: 'vera', role: 'owner' })).status).toBe(422);
    expect((await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}/members/${c.member.id}`, { role: 'boss' })).status).toBe(422);
    expect((await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}/members/${c.orgViewer.id}`, { role: 'member' })).status).toBe(404);
  });

  it('assigns a custom role in a team', async () => {
    const role = await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: 'Reviewer', base: 'viewer', permissions: ['reports.create'] });
    const r = await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}/members/${c.viewOnly.id}`, { customRoleId: role.body.id });
    expect(r.status).toBe(200);
    expect(r.body.members.find((m: { userName: string }) => m.userName === 'vic')).toMatchObject({ role: 'view-only', customRole: { id: role.body.id, name: 'Reviewer' } });
    const me = await call(h, c.as.viewOnly, 'GET', `${base}/me`);
    expect(me.body.teams[c.teamA.id].role).toBe('view-only');
  });

  it('deletes a team (members\' people stay), audited; 404 afterwards', async () => {
    const t = await call(h, c.as.admin, 'POST', `${base}/teams`, { name: 'Short-lived' });
    await call(h, c.as.admin, 'POST', `${base}/teams/${t.body.id}/members`, { user: 'max' });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/teams/${t.body.id}`)).status).toBe(204);
    expect(await lastAudit(h, c.org.id, 'team.delete')).toMatchObject({ target_id: t.body.id, before: expect.objectContaining({ members: 1 }) });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/teams/${t.body.id}`)).status).toBe(404);
    expect(await h.t.db('users').where({ id: c.member.id }).first()).toBeDefined();
  });

  it('with "members may invite" on, a member adds people to the team; view-only members still cannot', async () => {
    const newcomer = (await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'nina@acme.example' }));
    expect(newcomer.status).toBe(201);
    const setOff = await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}`, { membersCanInvite: false });
    expect(setOff.status).toBe(200);
    const refused = await call(h, c.as.member, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: 'ada' });
    expect(refused.status).toBe(403);
    await call(h, c.as.teamAdmin, 'PATCH', `${base}/teams/${c.teamA.id}`, { membersCanInvite: true });
    const page = await call(h, c.as.member, 'GET', `${base}/teams/${c.teamA.id}`);
    expect(page.body.can).toMatchObject({ addMembers: true, removeMembers: false });
    const added = await call(h, c.as.member, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: 'ada' });
    expect(added.status).toBeLessThan(300);
    expect(await h.t.db('team_members').where({ team_id: c.teamA.id, user_id: c.admin.id })).toHaveLength(1);
    expect(await lastAudit(h, c.org.id, 'team.members.add')).toMatchObject({ actor_id: c.as.member.accountId, target_id: c.teamA.id });
    expect((await call(h, c.as.viewOnly, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: 'vera' })).status).toBe(403);
  });
});
