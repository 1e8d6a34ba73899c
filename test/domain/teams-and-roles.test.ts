import { describe, expect, it } from 'vitest';
import { createCustomRole, deleteCustomRole, updateCustomRole } from '../../src/domain/custom-roles.ts';
import { CUSTOMIZABLE_PERMISSIONS } from '../../src/domain/permissions/index.ts';
import { createRoleGroup, roleGroupsFor } from '../../src/domain/role-groups.ts';
import {
  addTeamMembers,
  createTeam,
  deleteTeam,
  removeTeamMembers,
  renameTeam,
  setTeamRole,
  updateTeamSettings,
} from '../../src/domain/teams.ts';
import { useTestDb } from '../support/db.ts';
import { auditRows, makeMember, makeOrg, makeTeam } from '../support/factories.ts';

const t = useTestDb();
const run = t.run;
const customizable = (id: string) => CUSTOMIZABLE_PERMISSIONS.has(id as never);

describe('teams', () => {
  it('creates, renames and configures; names are unique per organization, case-insensitively', async () => {
    const org = await makeOrg(t.db);
    const other = await makeOrg(t.db);
    const team = await run((tx) => createTeam(tx, org.id, { name: 'Vision', storageType: 's3', privacy: 'team' }));
    expect(team).toMatchObject({ name: 'Vision', storage_type: 's3', privacy: 'team', version: 1 });
    await expect(run((tx) => createTeam(tx, org.id, { name: 'VISION' }))).rejects.toMatchObject({ code: 'uniqueness' });
    await run((tx) => createTeam(tx, other.id, { name: 'Vision' }));
    const renamed = await run((tx) => renameTeam(tx, org.id, team.id, 'Perception'));
    expect(renamed).toMatchObject({ name: 'Perception', version: 2 });
    const configured = await run((tx) => updateTeamSettings(tx, org.id, team.id, { membersCanInvite: true, domainMatching: true }));
    expect(configured).toMatchObject({ members_can_invite: true, domain_matching: true });
    await expect(run((tx) => updateTeamSettings(tx, org.id, team.id, { privacy: 'world' as never }))).rejects.toMatchObject({ code: 'invalid' });
    await expect(run((tx) => renameTeam(tx, other.id, team.id, 'x'))).rejects.toMatchObject({ code: 'not_found' });
    const actions = (await auditRows(t.db, { target_id: team.id })).map((r) => r.action);
    expect(actions).toEqual(['team.create', 'team.rename', 'team.settings']);
  });

  it('members: idempotent add/remove, only members of the organization, roles', async () => {
    const org = await makeOrg(t.db);
    const other = await makeOrg(t.db);
    const team = await makeTeam(t.db, org.id);
    const a = await makeMember(t.db, org.id);
    const b = await makeMember(t.db, org.id);
    const outsider = await makeMember(t.db, other.id);
    expect(await run((tx) => addTeamMembers(tx, org.id, team.id, [a.user.id, b.user.id]))).toBe(2);
    expect(await run((tx) => addTeamMembers(tx, org.id, team.id, [a.user.id]))).toBe(0);
    await expect(run((tx) => addTeamMembers(tx, org.id, team.id, [outsider.user.id]))).rejects.toMatchObject({ code: 'not_found' });
    await run((tx) => setTeamRole(tx, org.id, team.id, a.user.id, 'admin'));
    expect(await t.db('team_members').where({ team_id: team.id }).orderBy('role').pluck('role')).toEqual(['admin', 'member']);
    expect(await run((tx) => removeTeamMembers(tx, org.id, team.id, [b.user.id, b.user.id]))).toBe(1);
    expect(await run((tx) => removeTeamMembers(tx, org.id, team.id, [b.user.id]))).toBe(0);
    const actions = (await auditRows(t.db, { target_id: team.id })).map((r) => r.action);
    expect(actions).toEqual(['team.create', 'team.members.add', 'team.members.role', 'team.members.remove']);
    await run((tx) => deleteTeam(tx, org.id, team.id));
    expect(await t.db('team_members').where({ team_id: team.id })).toHaveLength(0);
    expect(await t.db('users').where({ id: a.user.id })).toHaveLength(1);
  });
});

describe('team changes are new versions of the people they touch', () => {
  it('joining, leaving, a role change and a rename bump the membership version (SCIM ETag)', async () => {
    const org = await makeOrg(t.db);
    const team = await makeTeam(t.db, org.id);
    const a = await makeMember(t.db, org.id);
    const b = await makeMember(t.db, org.id);
    const version = async (userId: string) => (await t.db('memberships').where({ org_id: org.id, user_id: userId }).first()).version as number;
    const v0 = await version(a.user.id);
    await run((tx) => addTeamMembers(tx, org.id, team.id, [a.user.id]));
    const v1 = await version(a.user.id);
    expect(v1).toBeGreaterThan(v0);
    expect(await version(b.user.id)).toBe(1);
    await run((tx) => setTeamRole(tx, org.id, team.id, a.user.id, 'admin'));
    const v2 = await version(a.user.id);
    expect(v2).toBeGreaterThan(v1);
    await run((tx) => renameTeam(tx, org.id, team.id, 'Renamed'));
    const v3 = await version(a.user.id);
    expect(v3).toBeGreaterThan(v2);
    await run((tx) => removeTeamMembers(tx, org.id, team.id, [a.user.id]));
    expect(await version(a.user.id)).toBeGreaterThan(v3);
    expect(await version(b.user.id)).toBe(1);
  });
});

describe('custom roles', () => {
  it('base + catalog permissions; assigned to team members; deleting returns holders to the base', async () => {
    const org = await makeOrg(t.db);
    const team = await makeTeam(t.db, org.id);
    const m = await makeMember(t.db, org.id);
    await run((tx) => addTeamMembers(tx, org.id, team.id, [m.user.id], 'admin'));
    const perm = [...CUSTOMIZABLE_PERMISSIONS][0]!;
    await expect(run((tx) => createCustomRole(tx, org.id, { name: 'X', base: 'viewer', permissions: ['system.settings.configure'] }, customizable))).rejects.toMatchObject({ code: 'invalid' });
    const role = await run((tx) => createCustomRole(tx, org.id, { name: 'Artifact curator', base: 'viewer', permissions: [perm, perm] }, customizable));
    expect(role.permissions).toEqual([perm]);
    await expect(run((tx) => createCustomRole(tx, org.id, { name: 'artifact CURATOR', base: 'member', permissions: [] }, customizable))).rejects.toMatchObject({ code: 'uniqueness' });
    await run((tx) => setTeamRole(tx, org.id, team.id, m.user.id, { customRoleId: role.id }));
    expect(await t.db('team_members').where({ team_id: team.id, user_id: m.user.id }).first()).toMatchObject({ role: 'view-only', custom_role_id: role.id });
    await run((tx) => updateCustomRole(tx, org.id, role.id, { base: 'member' }, customizable));
    expect((await t.db('team_members').where({ user_id: m.user.id }).first()).role).toBe('member');
    expect(await run((tx) => deleteCustomRole(tx, org.id, role.id))).toBe(1);
    expect(await t.db('team_members').where({ user_id: m.user.id }).first()).toMatchObject({ role: 'member', custom_role_id: null });
    const actions = (await auditRows(t.db, { target_id: role.id })).map((r) => r.action);
    expect(actions).toEqual(['custom_role.create', 'custom_role.update', 'custom_role.delete']);
  });
});

describe('role groups', () => {
  it('maps a group to an org role or a team role, matched case-insensitively', async () => {
    const org = await makeOrg(t.db);
    const team = await makeTeam(t.db, org.id);
    await run((tx) => createRoleGroup(tx, org.id, 'Org-Admins', { orgRole: 'admin' }, 'scim'));
    await run((tx) => createRoleGroup(tx, org.id, 'ml-leads', { teamId: team.id, teamRole: 'admin' }, 'scim'));
    await expect(run((tx) => createRoleGroup(tx, org.id, 'org-admins', { orgRole: 'member' }, 'scim'))).rejects.toMatchObject({ code: 'uniqueness' });
    const found = await roleGroupsFor(t.db, org.id, 'scim', ['ORG-ADMINS', 'ML-Leads', 'unrelated']);
    expect(found.map((g) => [g.group_name, g.org_role, g.team_role]).sort()).toEqual([
      ['ml-leads', null, 'admin'],
      ['Org-Admins', 'admin', null],
    ].sort());
  });

  it('a group name is unique per source: the same name at two IdPs is two role groups', async () => {
    const org = await makeOrg(t.db);
    await run((tx) => createRoleGroup(tx, org.id, 'admins', { orgRole: 'admin' }, 'scim'));
    await run((tx) => createRoleGroup(tx, org.id, 'admins', { orgRole: 'viewer' }, 'oidc:okta'));
    await run((tx) => createRoleGroup(tx, org.id, 'admins', { orgRole: 'member' }, 'oidc:entra'));
    await expect(run((tx) => createRoleGroup(tx, org.id, 'ADMINS', { orgRole: 'admin' }, 'oidc:okta'))).rejects.toMatchObject({ code: 'uniqueness' });
    expect((await roleGroupsFor(t.db, org.id, 'scim', ['admins'])).map((g) => g.org_role)).toEqual(['admin']);
    expect((await roleGroupsFor(t.db, org.id, 'oidc:okta', ['admins'])).map((g) => g.org_role)).toEqual(['viewer']);
    expect(await roleGroupsFor(t.db, org.id, 'oidc:google', ['admins'])).toEqual([]);
    const audited = (await auditRows(t.db, { org_id: org.id, action: 'role_group.create' })).map((a) => a.after);
    expect(audited).toContainEqual({ source: 'oidc:entra', groupName: 'admins', orgRole: 'member' });
  });

  it('refuses a source that is not scim, ldap or oidc:<name>, in the domain and in the table', async () => {
    const org = await makeOrg(t.db);
    for (const source of ['okta', 'oidc:', 'oidc:Okta', 'saml:x', 'ldap:ldaps://x']) {
      await expect(run((tx) => createRoleGroup(tx, org.id, 'g', { orgRole: 'admin' }, source as 'scim'))).rejects.toMatchObject({ code: 'invalid' });
    }
    await expect(t.db('role_groups').insert({ id: crypto.randomUUID(), org_id: org.id, group_name: 'g', org_role: 'admin', source: 'okta' })).rejects.toThrow(/role_groups_source_check/);
  });

  it('an LDAP role group names a whole DN, stored in one spelling and matched however the directory spells it', async () => {
    const org = await makeOrg(t.db);
    const team = await makeTeam(t.db, org.id);
    await expect(run((tx) => createRoleGroup(tx, org.id, 'ops', { orgRole: 'admin' }, 'ldap'))).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('full DN') });
    const g = await run((tx) => createRoleGroup(tx, org.id, ' CN=Ops , OU=Groups,DC=example,DC=org', { teamId: team.id, teamRole: 'admin' }, 'ldap'));
    expect(g.group_name).toBe('cn=Ops,ou=Groups,dc=example,dc=org');
    await expect(run((tx) => createRoleGroup(tx, org.id, 'cn=ops,ou=groups,dc=example,dc=org', { teamId: team.id, teamRole: 'member' }, 'ldap'))).rejects.toMatchObject({ code: 'uniqueness' });
    expect(await roleGroupsFor(t.db, org.id, 'ldap', ['cn=ops,ou=groups,dc=example,dc=org'])).toHaveLength(1);
    expect(await roleGroupsFor(t.db, org.id, 'ldap', ['CN=OPS,OU=GROUPS,DC=EXAMPLE,DC=ORG', 'garbage'])).toHaveLength(1);
    // The same CN elsewhere in the directory, or the bare name, is another group.
    expect(await roleGroupsFor(t.db, org.id, 'ldap', ['cn=ops,ou=partners,dc=example,dc=org', 'ops'])).toEqual([]);
    // And an LDAP mapping is not a SCIM one.
    expect(await roleGroupsFor(t.db, org.id, 'scim', ['cn=Ops,ou=Groups,dc=example,dc=org'])).toEqual([]);
  });
});
