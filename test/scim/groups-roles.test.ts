import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { CUSTOMIZABLE_PERMISSIONS } from '../../src/domain/permissions/index.ts';
import { createRoleGroup } from '../../src/domain/role-groups.ts';
import { auditRows, makeTeam, testActor } from '../support/factories.ts';
import { ORGBRIDGE_URN, patch, startScim, USER_URN, GROUP_URN, type ScimClient } from './support.ts';

let c: ScimClient;
beforeAll(async () => { c = await startScim(); });
afterAll(async () => { await c.close(); });

const q = encodeURIComponent;
const newUser = async (userName: string, extra: Record<string, unknown> = {}) =>
  (await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName, ...extra })).body.id as string;

describe('groups', () => {
  it('adds 2,000 members in one PATCH and removes one without loading the rest', async () => {
    const ids = (
      await c.db.raw(
        `with u as (insert into users (id, org_id, user_name) select gen_random_uuid(), ?, 'bulk-' || g || '@corp.test' from generate_series(1, 2000) g returning id)
         insert into memberships (id, org_id, user_id, status, org_role, models_seat) select gen_random_uuid(), ?, id, 'active', 'member', 'none' from u returning user_id`,
        [c.org.id, c.org.id],
      )
    ).rows.map((r: { user_id: string }) => r.user_id) as string[];
    const g = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'big team' });
    const add = await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }));
    expect(add.status).toBe(204);
    expect(await c.db('team_members').where({ team_id: g.body.id }).count({ n: '*' }).first()).toMatchObject({ n: 2000 });
    const rm = await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'remove', path: `members[value eq "${ids[7]}"]` }));
    expect(rm.status).toBe(204);
    expect(await c.db('team_members').where({ team_id: g.body.id }).count({ n: '*' }).first()).toMatchObject({ n: 1999 });
    const removedAudit = await auditRows(c.db, { target_id: g.body.id, action: 'team.members.remove' });
    expect(removedAudit.at(-1)!.before).toEqual({ members: [{ user_id: ids[7], role: 'member' }] });
    const full = await c.call('GET', `/scim/v2/Groups/${g.body.id}`);
    expect(full.body.members).toHaveLength(1999);
    const slim = await c.call('GET', `/scim/v2/Groups?excludedAttributes=members&filter=${q('displayName eq "BIG TEAM"')}`);
    expect(slim.body.Resources).toEqual([expect.not.objectContaining({ members: expect.anything() })]);
    const byMember = await c.call('GET', `/scim/v2/Groups?attributes=displayName&filter=${q(`members[value eq "${ids[8]}"]`)}`);
    expect(byMember.body.Resources).toEqual([{ schemas: [GROUP_URN], id: g.body.id, displayName: 'big team' }]);
    expect(byMember.body.totalResults).toBe(1);
  });

  it('a role group mapped to an org role grants it, and takes it back through the guard', async () => {
    const adminsGroup = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'orgbridge-admins' });
    await runInTransaction(c.db, testActor, (tx) => createRoleGroup(tx, c.org.id, 'orgbridge-admins', { orgRole: 'admin' }, 'scim'));
    const alice = await newUser('alice@corp.test');
    const r = await c.call('PATCH', `/scim/v2/Groups/${adminsGroup.body.id}`, patch({ op: 'add', path: 'members', value: [{ value: alice }] }));
    expect(r.status).toBe(204);
    expect((await c.db('memberships').where({ org_id: c.org.id, user_id: alice }).first()).org_role).toBe('admin');
    // the original admin steps down; alice is now the only admin
    await c.call('PATCH', `/scim/v2/Users/${c.admin.id}`, patch({ op: 'replace', path: 'organizationRole', value: 'member' }));
    const out = await c.call('PATCH', `/scim/v2/Groups/${adminsGroup.body.id}`, patch({ op: 'remove', path: 'members', value: [{ value: alice }] }));
    expect(out.status).toBe(409);
    expect(out.body.detail).toContain('last-admin rule');
    expect(await c.db('team_members').where({ team_id: adminsGroup.body.id, user_id: alice }).first()).toBeDefined(); // rolled back
    await c.call('PATCH', `/scim/v2/Users/${c.admin.id}`, patch({ op: 'replace', path: 'organizationRole', value: 'admin' }));
    const ok = await c.call('PATCH', `/scim/v2/Groups/${adminsGroup.body.id}`, patch({ op: 'remove', path: 'members', value: [{ value: alice }] }));
    expect(ok.status).toBe(204);
    expect((await c.db('memberships').where({ org_id: c.org.id, user_id: alice }).first()).org_role).toBe('member');
  });

  it('removing someone who is not in a role group, or adding someone already in it, changes no role', async () => {
    const g = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'idle-admins' });
    await runInTransaction(c.db, testActor, (tx) => createRoleGroup(tx, c.org.id, 'idle-admins', { orgRole: 'admin' }, 'scim'));
    // An admin made by hand, never in the group: an IdP's stray remove must not demote them.
    const hand = await newUser('hand-admin@corp.test', { [ORGBRIDGE_URN]: { organizationRole: 'admin' } });
    expect((await c.db('memberships').where({ org_id: c.org.id, user_id: hand }).first()).org_role).toBe('admin');
    const stray = await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'remove', path: 'members', value: [{ value: hand }] }));
    expect(stray.status).toBe(204);
    expect((await c.db('memberships').where({ org_id: c.org.id, user_id: hand }).first()).org_role).toBe('admin');
    const filtered = await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'remove', path: `members[value eq "${hand}"]` }));
    expect(filtered.status).toBe(204);
    expect((await c.db('memberships').where({ org_id: c.org.id, user_id: hand }).first()).org_role).toBe('admin');
    expect(await c.db('audit_log').where({ org_id: c.org.id, action: 'member.role', target_id: hand })).toHaveLength(0);
  });

  it('overlapping org-role groups: the strongest grant holds, and leaving one falls back to the others', async () => {
    const admins = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'og-admins' });
    const viewers = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'og-viewers' });
    await runInTransaction(c.db, testActor, async (tx) => {
      await createRoleGroup(tx, c.org.id, 'og-admins', { orgRole: 'admin' }, 'scim');
      await createRoleGroup(tx, c.org.id, 'og-viewers', { orgRole: 'viewer' }, 'scim');
    });
    const dave = await newUser('dave@corp.test');
    const roleOf = async () => (await c.db('memberships').where({ org_id: c.org.id, user_id: dave }).first()).org_role as string;
    const member = (g: { body: { id: string } }, op: 'add' | 'remove') =>
      c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch(op === 'add' ? { op, path: 'members', value: [{ value: dave }] } : { op, path: `members[value eq "${dave}"]` }));
    expect((await member(admins, 'add')).status).toBe(204);
    expect(await roleOf()).toBe('admin');
    expect((await member(viewers, 'add')).status).toBe(204);
    expect(await roleOf()).toBe('admin'); // joining a weaker group does not demote
    expect((await member(admins, 'remove')).status).toBe(204);
    expect(await roleOf()).toBe('viewer'); // what the remaining group grants, not `member`
    const demoted = await auditRows(c.db, { target_id: dave, action: 'member.role' });
    expect(demoted.at(-1)).toMatchObject({ outcome: 'ok', before: expect.objectContaining({ orgRole: 'admin' }), after: expect.objectContaining({ orgRole: 'viewer' }) });
    expect((await member(viewers, 'remove')).status).toBe(204);
    expect(await roleOf()).toBe('member');
  });

  it('overlapping team-role groups: the strongest grant holds; leaving the last one leaves the team', async () => {
    const research = await makeTeam(c.db, c.org.id, 'Research');
    await runInTransaction(c.db, testActor, async (tx) => {
      await createRoleGroup(tx, c.org.id, 'rs-admins', { teamId: research.id, teamRole: 'admin' }, 'scim');
      await createRoleGroup(tx, c.org.id, 'rs-viewers', { teamId: research.id, teamRole: 'view-only' }, 'scim');
    });
    const rsAdmins = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'rs-admins' });
    const rsViewers = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'rs-viewers' });
    const erin = await newUser('erin@corp.test');
    const place = async () => (await c.db('team_members').where({ team_id: research.id, user_id: erin }).first())?.role as string | undefined;
    const member = (g: { body: { id: string } }, op: 'add' | 'remove') =>
      c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch(op === 'add' ? { op, path: 'members', value: [{ value: erin }] } : { op, path: `members[value eq "${erin}"]` }));
    await member(rsAdmins, 'add');
    expect(await place()).toBe('admin');
    await member(rsViewers, 'add');
    expect(await place()).toBe('admin');
    await member(rsAdmins, 'remove');
    expect(await place()).toBe('view-only');
    await member(rsViewers, 'remove');
    expect(await place()).toBeUndefined();
  });

  it('a role group mapped to a team role puts members in that team with that role', async () => {
    const ml = await makeTeam(c.db, c.org.id, 'ML');
    await runInTransaction(c.db, testActor, (tx) => createRoleGroup(tx, c.org.id, 'ml-admins', { teamId: ml.id, teamRole: 'admin' }, 'scim'));
    const g = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'ml-admins' });
    const bob = await newUser('bob@corp.test');
    await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'add', path: 'members', value: [{ value: bob }] }));
    expect(await c.db('team_members').where({ team_id: ml.id, user_id: bob }).first()).toMatchObject({ role: 'admin' });
    await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'remove', path: `members[value eq "${bob}"]` }));
    expect(await c.db('team_members').where({ team_id: ml.id, user_id: bob }).first()).toBeUndefined();
  });

  it('only role groups whose source is SCIM apply to a push: a sign-in provider’s groups of the same name do not', async () => {
    const ops = await makeTeam(c.db, c.org.id, 'Ops');
    await runInTransaction(c.db, testActor, async (tx) => {
      await createRoleGroup(tx, c.org.id, 'sso-admins', { teamId: ops.id, teamRole: 'view-only' }, 'scim');
      await createRoleGroup(tx, c.org.id, 'sso-admins', { orgRole: 'admin' }, 'oidc:okta');
      await createRoleGroup(tx, c.org.id, 'sso-admins', { teamId: ops.id, teamRole: 'admin' }, 'oidc:entra');
      await createRoleGroup(tx, c.org.id, 'ops-leads', { teamId: ops.id, teamRole: 'admin' }, 'oidc:okta');
    });
    const dora = await newUser('dora@corp.test');
    const add = async (name: string) => {
      const g = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: name, members: [{ value: dora }] });
      expect(g.status).toBe(201);
      return g.body.id as string;
    };
    // ops-leads has no SCIM mapping: plain membership of its own team, no Ops admin.
    await add('ops-leads');
    expect(await c.db('team_members').where({ team_id: ops.id, user_id: dora }).first()).toBeUndefined();
    // sso-admins: the SCIM mapping (view-only of Ops) applies; the OIDC ones (org admin, Ops admin) do not.
    const ssoAdmins = await add('sso-admins');
    expect((await c.db('memberships').where({ org_id: c.org.id, user_id: dora }).first()).org_role).toBe('member');
    expect(await c.db('team_members').where({ team_id: ops.id, user_id: dora }).first()).toMatchObject({ role: 'view-only' });
    // Leaving sso-admins: the OIDC mapping of ops-leads (a group she is in) is not another
    // grant that keeps her in Ops.
    await c.call('PATCH', `/scim/v2/Groups/${ssoAdmins}`, patch({ op: 'remove', path: `members[value eq "${dora}"]` }));
    expect(await c.db('team_members').where({ team_id: ops.id, user_id: dora }).first()).toBeUndefined();
  });

  it('teamRoles on the user set team roles; groups list the teams', async () => {
    const t = await makeTeam(c.db, c.org.id, 'Vision');
    const carol = await newUser('carol@corp.test', { [ORGBRIDGE_URN]: { teamRoles: [{ team: 'Vision', role: 'admin' }], modelsSeat: 'viewer', weaveAccess: 'none' } });
    expect(await c.db('team_members').where({ team_id: t.id, user_id: carol }).first()).toMatchObject({ role: 'admin' });
    const r = await c.call('PATCH', `/scim/v2/Users/${carol}`, patch({ op: 'replace', path: 'teamRoles', value: [{ team: 'Vision', role: 'view-only' }] }));
    expect(r.status).toBe(200);
    expect(r.body[ORGBRIDGE_URN]).toMatchObject({ modelsSeat: 'viewer', weaveAccess: 'none', teamRoles: [{ team: 'Vision', teamId: t.id, role: 'view-only' }] });
    expect(r.body.groups).toEqual([{ value: t.id, display: 'Vision', type: 'direct', $ref: `http://localhost:8080/scim/v2/Groups/${t.id}` }]);
    const f = await c.call('GET', `/scim/v2/Users?filter=${q(`groups.value eq "${t.id}" and ${ORGBRIDGE_URN}:modelsSeat eq "viewer"`)}&attributes=userName`);
    expect(f.body.Resources).toEqual([{ schemas: [USER_URN], id: carol, userName: 'carol@corp.test' }]);
    const weave = await c.call('PATCH', `/scim/v2/Users/${carol}`, patch({ op: 'replace', path: 'weaveRole', value: 'viewer' }));
    expect(weave.body[ORGBRIDGE_URN].weaveAccess).toBe('viewer');
  });
});

describe('roles', () => {
  it('creates, reads, patches, replaces and deletes a custom role', async () => {
    // Two permissions neither base role holds: they come back as added (isInherited false),
    // next to the member role's own (isInherited true), under the seed's names.
    expect(CUSTOMIZABLE_PERMISSIONS.has('projects.delete')).toBe(true);
    const r = await c.call('POST', '/scim/v2/Roles', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Role'], name: 'Sample custom role', description: 'A sample', inheritedFrom: 'member', permissions: [{ name: 'projects.delete' }] });
    expect(r.status).toBe(201);
    const added = (b: { permissions: { name: string; isInherited: boolean }[] }) => b.permissions.filter((x) => !x.isInherited).map((x) => x.name).sort();
    expect(r.body).toMatchObject({ name: 'Sample custom role', inheritedFrom: 'member' });
    expect(added(r.body)).toEqual(['project:delete']);
    expect(r.body.permissions).toContainEqual({ name: 'run:read', description: expect.any(String), isInherited: true });
    const id = r.body.id;
    const p = await c.call('PATCH', `/scim/v2/Roles/${id}`, patch({ op: 'add', path: 'permissions', value: [{ name: 'experiments.stop' }] }));
    expect(p.status).toBe(200);
    expect(added(p.body)).toEqual(['project:delete', 'run:stop']);
    expect((await c.db('custom_roles').where({ id }).first()).permissions).toEqual(['experiments.stop', 'projects.delete']);
    const bad = await c.call('PATCH', `/scim/v2/Roles/${id}`, patch({ op: 'add', path: 'permissions', value: [{ name: 'no.such.permission' }] }));
    expect([bad.status, bad.body.scimType]).toEqual([400, 'invalidValue']);
    const put = await c.call('PUT', `/scim/v2/Roles/${id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Role'], name: 'Renamed', inheritedFrom: 'viewer', permissions: [] });
    expect(put.body).toMatchObject({ name: 'Renamed', inheritedFrom: 'viewer' });
    expect(added(put.body)).toEqual([]);
    const list = await c.call('GET', `/scim/v2/Roles?filter=${encodeURIComponent('name eq "renamed"')}`);
    expect(list.body.totalResults).toBe(1);
    expect((await c.call('DELETE', `/scim/v2/Roles/${id}`)).status).toBe(204);
    expect(await c.db('custom_roles').where({ id }).first()).toBeUndefined();
  });
});
