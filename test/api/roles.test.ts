import { describe, expect, it } from 'vitest';
import { call, lastAudit, useCast, type Cast, type Harness } from './harness.ts';

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('permission catalog', () => {
  it('GET /permissions lists every permission with its roles and whether a custom role may hold it', async () => {
    const r = await call(h, c.as.member, 'GET', '/api/v1/permissions');
    expect(r.status).toBe(200);
    const byId = new Map(r.body.items.map((p: { id: string }) => [p.id, p]));
    expect(byId.get('reports.edit')).toMatchObject({ area: 'reports', customizable: true, roles: { 'view-only': 'deny', member: 'own', admin: 'allow' }, ownRule: expect.any(String) });
    expect(byId.get('org.users.invite')).toMatchObject({ customizable: false, orgRoles: { admin: 'allow', member: 'deny', viewer: 'deny' } });
    expect(byId.get('system.teams.manage')).toMatchObject({ systemAdminOnly: true });
  });
});

describe('custom roles', () => {
  let id: string;
  it('creates from a base plus catalog permissions (201, audit)', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: 'Registry curator', description: 'Curates models', base: 'member', permissions: ['registry.models.add', 'registry.aliases.add'] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'Registry curator', base: 'member', permissions: ['registry.aliases.add', 'registry.models.add'] });
    id = r.body.id;
    expect(await lastAudit(h, c.org.id, 'custom_role.create')).toMatchObject({ target_id: id, after: { base: 'member' } });
    expect((await call(h, c.as.member, 'GET', `${base}/custom-roles`)).body.items.map((x: { id: string }) => x.id)).toEqual([id]);
  });

  it('refuses a permission no custom role may hold, an unknown one, a bad base and a duplicate name', async () => {
    const notCustom = await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: 'Sneaky', base: 'viewer', permissions: ['org.users.invite'] });
    expect(notCustom.status).toBe(422);
    expect(notCustom.body.error.details.permissions).toEqual(['org.users.invite']);
    expect((await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: 'X', base: 'viewer', permissions: ['made.up'] })).status).toBe(422);
    expect((await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: 'X', base: 'admin' })).status).toBe(422);
    expect((await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: 'registry CURATOR', base: 'viewer' })).status).toBe(409);
  });

  it('edits (audited) and deletes, returning holders to the base role', async () => {
    const u = await call(h, c.as.admin, 'PATCH', `${base}/custom-roles/${id}`, { base: 'viewer', permissions: ['reports.create'] });
    expect(u.body).toMatchObject({ base: 'viewer', permissions: ['reports.create'] });
    expect(await lastAudit(h, c.org.id, 'custom_role.update')).toMatchObject({ before: { base: 'member' }, after: { base: 'viewer' } });
    await call(h, c.as.admin, 'PATCH', `${base}/teams/${c.teamA.id}/members/${c.member.id}`, { customRoleId: id });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/custom-roles/${id}`)).status).toBe(204);
    expect(await lastAudit(h, c.org.id, 'custom_role.delete')).toMatchObject({ before: expect.objectContaining({ holders: 1 }) });
    const tm = await h.t.db('team_members').where({ team_id: c.teamA.id, user_id: c.member.id }).first();
    expect(tm).toMatchObject({ role: 'view-only', custom_role_id: null });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/custom-roles/${id}`)).status).toBe(404);
    expect((await call(h, c.as.admin, 'PATCH', `${base}/custom-roles/${id}`, {})).status).toBe(422);
  });
});

describe('GET /orgs/:org/me', () => {
  it('gives each role exactly the permissions can() grants', async () => {
    const admin = await call(h, c.as.admin, 'GET', `${base}/me`);
    expect(admin.body.permissions).toEqual(expect.arrayContaining(['org.users.invite', 'org.customRoles.manage', 'org.scimTokens.manage']));
    expect(admin.body.permissions).not.toContain('system.teams.manage');
    const member = await call(h, c.as.member, 'GET', `${base}/me`);
    expect(member.body.permissions).toEqual([]);
    expect(member.body.membership).toEqual({ role: 'member', status: 'active', modelsSeat: 'full' });
    const ta = await call(h, c.as.teamAdmin, 'GET', `${base}/me`);
    expect(ta.body.teams[c.teamA.id]).toEqual({ role: 'admin', permissions: ['team.members.add', 'team.members.remove', 'team.settings.manage', 'team.roles.assign'] });
    const sys = await call(h, c.as.sysAdmin, 'GET', `${base}/me`);
    expect(sys.body).toMatchObject({ membership: null, systemAdmin: true, permissions: ['system.settings.configure', 'system.teams.manage', 'system.activity.view'] });
  });
});
