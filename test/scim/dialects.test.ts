import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createRegistry, setRegistryRole, updateRegistry } from '../../src/domain/registries.ts';
import { makeTeam, testActor } from '../support/factories.ts';
import { auditRows } from '../support/factories.ts';
import { ENTERPRISE_URN, GROUP_URN, LIST_URN, ORGBRIDGE_URN, patch, startScim, USER_URN, type ScimClient } from './support.ts';

// What real clients send, as they send it: Entra ID's value-path filters, a client's
// root search and extension-object PATCH, emails that are not addresses, and the seed
// product's own SCIM dialect, with requests and responses taken from its reference
// (platform/hosting/iam/scim: "Create user", "Assign team role", "Add to Registry",
// "Create custom role", "Add permissions to role", "Remove a permission", "Replace custom role")
// and from its example client (wandb/examples wandb-scim: assign_registry_role, remove_registry_role).

let c: ScimClient;
beforeAll(async () => { c = await startScim(); });
afterAll(async () => { await c.close(); });

const q = encodeURIComponent;
const ROLE_URN = 'urn:ietf:params:scim:schemas:core:2.0:Role';
const newUser = async (userName: string, extra: Record<string, unknown> = {}) => {
  const r = await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
};
const registry = (orgId: string, name: string) => runInTransaction(c.db, testActor, (tx) => createRegistry(tx, orgId, { name }));
/** A record's own registry roles, as stored (ordered by role: admin, member, viewer). */
const ownRoles = (userId: string) => c.db('registry_roles').where({ user_id: userId }).orderBy('role').select('registry_id', 'role');

describe('Entra ID: emails[type eq "work"].value eq "…"', () => {
  it('matches on the sub-attribute of the element the value filter selects, in SQL', async () => {
    const id = await newUser('adele@contoso.test', { emails: [{ value: 'adele.vance@contoso.test', type: 'work', primary: true }, { value: 'adele@home.test', type: 'home' }] });
    const hit = await c.call('GET', `/scim/v2/Users?filter=${q('emails[type eq "work"].value eq "ADELE.VANCE@contoso.test"')}`);
    expect(hit.status).toBe(200);
    expect(hit.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    // Both conditions on one element: the home address is not a work address.
    const miss = await c.call('GET', `/scim/v2/Users?filter=${q('emails[type eq "work"].value eq "adele@home.test"')}`);
    expect(miss.body.totalResults).toBe(0);
    const pr = await c.call('GET', `/scim/v2/Users?filter=${q('emails[type eq "home"].value pr and userName eq "adele@contoso.test"')}`);
    expect(pr.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    const viaSearch = await c.call('POST', '/scim/v2/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'emails[type eq "work" or type eq "other"].value sw "adele.v"' });
    expect(viaSearch.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it('refuses unquoted values and unknown sub-attributes with invalidFilter', async () => {
    for (const f of ['emails[type eq "work"].value eq adele', 'emails[type eq "work"].nosuch eq "x"']) {
      const r = await c.call('GET', `/scim/v2/Users?filter=${q(f)}`);
      expect([r.status, r.body.scimType], f).toEqual([400, 'invalidFilter']);
    }
  });
});

describe('POST /.search at the root (RFC 7644 §3.4.3)', () => {
  it('searches every resource type and pages the whole list', async () => {
    const u = await newUser('rooted@search.test', { externalId: 'root-ext-1' });
    const g = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'rooted team', externalId: 'root-ext-2' });
    const r = await c.call('POST', '/scim/v2/Roles', { schemas: [ROLE_URN], name: 'rooted role', inheritedFrom: 'viewer', externalId: 'root-ext-3' });
    const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'externalId sw "root-ext-"' };
    const all = await c.call('POST', '/scim/v2/.search', body);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ schemas: [LIST_URN], totalResults: 3, startIndex: 1, itemsPerPage: 3 });
    expect(all.body.Resources.map((x: { id: string; meta: { resourceType: string } }) => [x.meta.resourceType, x.id])).toEqual([['User', u], ['Group', g.body.id], ['Role', r.body.id]]);
    const page = await c.call('POST', '/scim/.search', { ...body, startIndex: 2, count: 1 });
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources[0].id).toBe(g.body.id);
    // Parameter names in any case (RFC 7644 §3.4.2), the same page.
    const shouted = await c.call('POST', '/scim/.search', { ...body, StartIndex: 2, COUNT: 1 });
    expect(shouted.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(shouted.body.Resources.map((x: { id: string }) => x.id)).toEqual([g.body.id]);
    // An attribute only Users have matches no Group or Role.
    const users = await c.call('POST', '/scim/v2/.search', { filter: 'userName eq "rooted@search.test"' });
    expect(users.body.Resources.map((x: { id: string }) => x.id)).toEqual([u]);
    const nowhere = await c.call('POST', '/scim/v2/.search', { filter: 'nosuch eq "x"' });
    expect([nowhere.status, nowhere.body.scimType]).toEqual([400, 'invalidFilter']);
    const sorted = await c.call('POST', '/scim/v2/.search', { filter: 'externalId pr', sortBy: 'externalId' });
    expect([sorted.status, sorted.body.scimType]).toEqual([400, 'invalidValue']);
    expect((await c.call('GET', '/scim/v2/.search')).status).toBe(405);
  });

  it('sees only the token\'s organization', async () => {
    const other = await c.newOrg();
    const mine = await c.call('POST', '/scim/v2/.search', { filter: `id eq "${other.admin.id}"` });
    expect(mine.body.totalResults).toBe(0);
  });
});

describe('PATCH of a whole extension object', () => {
  it('takes the extension as a value, with its own schemas', async () => {
    const id = await newUser('ext@patch.test');
    const r = await c.call('PATCH', `/scim/v2/Users/${id}`, patch({
      op: 'add',
      path: ENTERPRISE_URN,
      value: { schemas: [ENTERPRISE_URN], department: 'Research', costCenter: 'CC-7', manager: { value: c.admin.id } },
    }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body[ENTERPRISE_URN]).toMatchObject({ department: 'Research', costCenter: 'CC-7', manager: { value: c.admin.id } });
    expect((await c.db('users').where({ id }).first()).profile.enterprise).toMatchObject({ department: 'Research', costCenter: 'CC-7' });
    const again = await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'replace', path: ENTERPRISE_URN, value: { schemas: [ENTERPRISE_URN], department: 'Platform' } }));
    expect(again.body[ENTERPRISE_URN]).toMatchObject({ department: 'Platform', costCenter: 'CC-7' });
    // The orgbridge extension's attributes always have values: it cannot be removed whole.
    const rm = await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'remove', path: ORGBRIDGE_URN }));
    expect([rm.status, rm.body.scimType]).toEqual([400, 'mutability']);
    const gone = await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'remove', path: ENTERPRISE_URN }));
    expect(gone.status).toBe(200);
    expect(gone.body[ENTERPRISE_URN]).toBeUndefined();
  });
});

describe('emails that are not addresses', () => {
  it('are stored and returned, and never become the primary email sign-in and linking use', async () => {
    const id = await newUser('user357', { emails: [{ value: 'emailName357', type: 'work', primary: true, display: 'Work mail' }] });
    const got = await c.call('GET', `/scim/v2/Users/${id}`);
    expect(got.body.emails).toEqual([{ value: 'emailName357', display: 'Work mail', type: 'work', primary: true }]);
    expect(await c.db('user_emails').where({ user_id: id }).select('value', 'display')).toEqual([{ value: 'emailName357', display: 'Work mail' }]);
    // users.email (and its key) is what a sign-in's verified email is compared with.
    expect(await c.db('users').where({ id }).first('email', 'email_key', 'account_id')).toEqual({ email: null, email_key: null, account_id: null });
    const found = await c.call('GET', `/scim/v2/Users?filter=${q('emails.value eq "EMAILNAME357"')}`);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    // An address added as primary becomes the primary email.
    await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'add', path: 'emails', value: [{ value: 'user357@corp.test', primary: true }] }));
    expect(await c.db('users').where({ id }).first('email')).toEqual({ email: 'user357@corp.test' });
  });
});

describe('the seed product\'s SCIM dialect', () => {
  it('Create user (Dedicated/Self-Managed): modelsSeat and weaveRole at the top level', async () => {
    const r = await c.call('POST', '/scim/Users', {
      schemas: [USER_URN],
      emails: [{ primary: true, value: 'dev-user2@example.com' }],
      userName: 'dev-user2',
      modelsSeat: 'full',
      weaveRole: 'full',
    });
    expect(r.status).toBe(201);
    expect(r.body[ORGBRIDGE_URN]).toMatchObject({ modelsSeat: 'full', weaveAccess: 'full', organizationRole: 'member' });
    expect(await c.db('memberships').where({ org_id: c.org.id, user_id: r.body.id }).first('models_seat', 'weave_access')).toEqual({ models_seat: 'full', weave_access: 'full' });
  });

  it('Assign team role: teamRoles [{teamName, roleName}] sets the role in that team and keeps the others', async () => {
    const team1 = await makeTeam(c.db, c.org.id, 'team1');
    const team2 = await makeTeam(c.db, c.org.id, 'team2');
    const id = await newUser('dev-user1', { [ORGBRIDGE_URN]: { teamRoles: [{ team: 'team2', role: 'member' }] } });
    const r = await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'replace', path: 'teamRoles', value: [{ roleName: 'admin', teamName: 'team1' }] }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const places = await c.db('team_members').where({ user_id: id }).orderBy('role').select('team_id', 'role');
    expect(places).toEqual([{ team_id: team1.id, role: 'admin' }, { team_id: team2.id, role: 'member' }]);
    expect(r.body[ORGBRIDGE_URN].teamRoles).toContainEqual(expect.objectContaining({ team: 'team1', role: 'admin' }));
    // Removal by the seed's sub-attribute name, as its registry example removes by registryName.
    const rm = await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'remove', path: 'teamRoles[teamName eq "team1"]' }));
    expect(rm.status).toBe(200);
    expect(await c.db('team_members').where({ user_id: id }).pluck('team_id')).toEqual([team2.id]);
    // Our own shape keeps the RFC's meaning: a replace is the whole list.
    await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'replace', path: 'teamRoles', value: [{ team: 'team1', role: 'member' }] }));
    expect(await c.db('team_members').where({ user_id: id }).pluck('team_id')).toEqual([team1.id]);
  });

  it('Add to / Remove from Registry: registryRoles [{registryName, roleName}] by add, seed-shaped replace and value-filter remove', async () => {
    const hello = await registry(c.org.id, 'hello-registry');
    const goodbye = await registry(c.org.id, 'goodbye-registry');
    // Create user with the seed's shape (POST sets the whole list).
    const created = await c.call('POST', '/scim/Users', { schemas: [USER_URN], userName: 'registry-user', registryRoles: [{ registryName: 'goodbye-registry', roleName: 'viewer' }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect(created.body[ORGBRIDGE_URN].registryRoles).toEqual([{ registry: 'goodbye-registry', registryId: goodbye.id, role: 'viewer' }]);
    expect(await ownRoles(id)).toEqual([{ registry_id: goodbye.id, role: 'viewer' }]);

    // wandb-scim's assign_registry_role: {"op": "add", "path": "registryRoles", "value": [{registryName, roleName}]}
    const added = await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'add', path: 'registryRoles', value: [{ registryName: 'hello-registry', roleName: 'admin' }] }));
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.meta.version).not.toBe(created.body.meta.version);
    expect(await ownRoles(id)).toEqual([{ registry_id: hello.id, role: 'admin' }, { registry_id: goodbye.id, role: 'viewer' }]);

    // The reference's "Add to Registry": a replace in the seed's shape sets the role in the
    // registry it names and leaves the person's other registries alone.
    const replaced = await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'replace', path: 'registryRoles', value: [{ roleName: 'member', registryName: 'HELLO-registry' }] }));
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body[ORGBRIDGE_URN].registryRoles).toEqual([
      { registry: 'goodbye-registry', registryId: goodbye.id, role: 'viewer' },
      { registry: 'hello-registry', registryId: hello.id, role: 'member' },
    ]);
    expect(await ownRoles(id)).toEqual([{ registry_id: hello.id, role: 'member' }, { registry_id: goodbye.id, role: 'viewer' }]);
    // Each change is audited, in the request's transaction, with what it was and became.
    const trail = await auditRows(c.db, { action: 'registry.role', target_id: hello.id });
    expect(trail.map((a) => [a.before, a.after])).toEqual([[null, { member: id, role: 'admin' }], [{ member: id, role: 'admin' }, { member: id, role: 'member' }]]);
    expect(trail.every((a) => a.org_id === c.org.id && a.actor_type === 'scim')).toBe(true);

    // wandb-scim's remove_registry_role: remove by the seed's sub-attribute name.
    const rm = await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'remove', path: 'registryRoles[registryName eq "goodbye-registry"]' }));
    expect(rm.status, JSON.stringify(rm.body)).toBe(200);
    expect(await ownRoles(id)).toEqual([{ registry_id: hello.id, role: 'member' }]);

    // Our own shape keeps the RFC's meaning: a replace is the whole list; remove empties it.
    await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'replace', path: 'registryRoles', value: [{ registry: 'goodbye-registry', role: 'admin' }] }));
    expect(await ownRoles(id)).toEqual([{ registry_id: goodbye.id, role: 'admin' }]);
    const none = await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'remove', path: 'registryRoles' }));
    expect(none.body[ORGBRIDGE_URN].registryRoles).toEqual([]);
    expect(await ownRoles(id)).toEqual([]);
  });

  it('registryRoles lists the person\'s own roles, follows a rename in its ETag, and leaves roles held through a team alone', async () => {
    const reg = await registry(c.org.id, 'team-held-registry');
    const team = await makeTeam(c.db, c.org.id, 'registry-team');
    const id = await newUser('team-held-user', { [ORGBRIDGE_URN]: { teamRoles: [{ team: team.name, role: 'member' }] } });
    await runInTransaction(c.db, testActor, (tx) => setRegistryRole(tx, c.org.id, reg.id, { teamId: team.id }, 'admin'));
    const got = await c.call('GET', `/scim/Users/${id}`);
    expect(got.body[ORGBRIDGE_URN].registryRoles).toEqual([]);
    await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'add', path: 'registryRoles', value: [{ registryName: 'team-held-registry', roleName: 'viewer' }] }));
    await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'remove', path: 'registryRoles' }));
    expect(await c.db('registry_roles').where({ registry_id: reg.id }).select('team_id', 'user_id', 'role')).toEqual([{ team_id: team.id, user_id: null, role: 'admin' }]);

    await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'add', path: 'registryRoles', value: [{ registryName: 'team-held-registry', roleName: 'viewer' }] }));
    const before = await c.call('GET', `/scim/Users/${id}`);
    await runInTransaction(c.db, testActor, (tx) => updateRegistry(tx, c.org.id, reg.id, { name: 'renamed-registry' }));
    const after = await c.call('GET', `/scim/Users/${id}`, undefined, { 'if-none-match': before.body.meta.version });
    expect(after.status).toBe(200);
    expect(after.body[ORGBRIDGE_URN].registryRoles).toEqual([{ registry: 'renamed-registry', registryId: reg.id, role: 'viewer' }]);
    // A list page that asks for registryRoles gets them; one that excludes them does not read them.
    const listed = await c.call('GET', `/scim/Users?filter=${q('userName eq "team-held-user"')}&attributes=${q(`${ORGBRIDGE_URN}:registryRoles`)}`);
    expect(listed.body.Resources[0][ORGBRIDGE_URN]).toEqual({ registryRoles: [{ registry: 'renamed-registry', registryId: reg.id, role: 'viewer' }] });
  });

  it('refuses an unknown registry or registry role with invalidValue naming it, and changes nothing', async () => {
    await registry(c.org.id, 'known-registry');
    const id = await newUser('refused-registry-user', { [ORGBRIDGE_URN]: { registryRoles: [{ registry: 'known-registry', role: 'viewer' }] } });
    const before = await c.call('GET', `/scim/Users/${id}`);
    const audits = (await auditRows(c.db, { org_id: c.org.id })).length;
    const requests: [unknown, string][] = [
      [patch({ op: 'add', path: 'registryRoles', value: [{ registryName: 'no-such-registry', roleName: 'admin' }] }), 'no-such-registry'],
      [patch({ op: 'replace', path: 'registryRoles', value: [{ registryName: 'known-registry', roleName: 'owner' }] }), 'owner'],
      // A good operation before a bad one: the request is one transaction.
      [patch({ op: 'replace', path: 'displayName', value: 'changed' }, { op: 'add', value: { registryRoles: [{ roleName: 'admin', registryName: 'nope-registry' }] } }), 'nope-registry'],
    ];
    for (const [body, named] of requests) {
      const r = await c.call('PATCH', `/scim/Users/${id}`, body);
      expect([r.status, r.body.scimType], JSON.stringify(body)).toEqual([400, 'invalidValue']);
      expect(r.body.detail).toContain('registryRoles');
      expect(r.body.detail).toContain(named);
    }
    const post = await c.call('POST', '/scim/Users', { schemas: [USER_URN], userName: 'with-unknown-registry', registryRoles: [{ roleName: 'admin', registryName: 'r' }] });
    expect([post.status, post.body.scimType]).toEqual([400, 'invalidValue']);
    expect(post.body.detail).toContain('"r"');
    expect(await c.db('users').where({ org_id: c.org.id, user_name: 'with-unknown-registry' }).first()).toBeUndefined();
    const after = await c.call('GET', `/scim/Users/${id}`);
    expect(after.body.meta.version).toBe(before.body.meta.version);
    expect(after.body.displayName).toBeUndefined();
    expect((await auditRows(c.db, { org_id: c.org.id })).length).toBe(audits);
  });

  it('never touches another organization\'s registry of the same name', async () => {
    const other = await c.newOrg();
    const mine = await registry(c.org.id, 'shared-name');
    const theirs = await registry(other.org.id, 'shared-name');
    await registry(other.org.id, 'only-theirs');
    await runInTransaction(c.db, testActor, (tx) => setRegistryRole(tx, other.org.id, theirs.id, { memberId: other.admin.id }, 'viewer'));
    const theirRows = () => c.db('registry_roles').where({ registry_id: theirs.id }).select('user_id', 'team_id', 'role');
    const theirVersion = async () => (await c.db('memberships').where({ user_id: other.admin.id }).first('version')).version;
    const v0 = await theirVersion();

    const id = await newUser('cross-tenant-registry-user', { [ORGBRIDGE_URN]: { registryRoles: [{ registryName: 'SHARED-NAME', roleName: 'admin' }] } });
    expect(await ownRoles(id)).toEqual([{ registry_id: mine.id, role: 'admin' }]);
    await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'replace', path: 'registryRoles', value: [{ registryName: 'shared-name', roleName: 'member' }] }));
    await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'remove', path: 'registryRoles[registryName eq "shared-name"]' }));
    expect(await ownRoles(id)).toEqual([]);
    expect(await theirRows()).toEqual([{ user_id: other.admin.id, team_id: null, role: 'viewer' }]);
    expect(await theirVersion()).toBe(v0);

    // Their registry's name is no registry here; their person is no User here.
    const r = await c.call('PATCH', `/scim/Users/${id}`, patch({ op: 'add', path: 'registryRoles', value: [{ registryName: 'only-theirs', roleName: 'admin' }] }));
    expect([r.status, r.body.scimType]).toEqual([400, 'invalidValue']);
    expect(r.body.detail).toContain('only-theirs');
    const theirUser = await c.call('PATCH', `/scim/Users/${other.admin.id}`, patch({ op: 'remove', path: 'registryRoles' }));
    expect(theirUser.status).toBe(404);
    expect(await theirRows()).toEqual([{ user_id: other.admin.id, team_id: null, role: 'viewer' }]);
    expect(await auditRows(c.db, { org_id: c.org.id, target_id: theirs.id })).toEqual([]);
  });

  it('Create custom role, add and remove permissions by name, replace it: answered with isInherited', async () => {
    const created = await c.call('POST', '/scim/Roles', {
      schemas: [ROLE_URN],
      name: 'Sample custom role',
      description: 'A sample custom role for example',
      permissions: [{ name: 'project:update' }],
      inheritedFrom: 'member',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'Sample custom role', description: 'A sample custom role for example', inheritedFrom: 'member', meta: { resourceType: 'Role' } });
    expect(created.body.permissions).toContainEqual(expect.objectContaining({ name: 'artifact:read', isInherited: true }));
    expect(created.body.permissions).toContainEqual(expect.objectContaining({ name: 'project:update', isInherited: false }));
    const id = created.body.id as string;
    const row = () => c.db('custom_roles').where({ id }).first();
    expect((await row()).permissions).toEqual(['projects.visibility.edit']);
    expect(await auditRows(c.db, { target_id: id, action: 'custom_role.create' })).toHaveLength(1);

    const own = (b: { permissions: { name: string; isInherited: boolean }[] }) => b.permissions.filter((p) => !p.isInherited).map((p) => p.name).sort();
    const added = await c.call('PATCH', `/scim/Roles/${id}`, patch({ op: 'add', path: 'permissions', value: [{ name: 'project:delete' }, { name: 'run:stop' }] }));
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(own(added.body)).toEqual(['project:delete', 'project:update', 'run:stop']);
    expect((await row()).permissions).toEqual(['experiments.stop', 'projects.delete', 'projects.visibility.edit']);

    const removed = await c.call('PATCH', `/scim/Roles/${id}`, patch({ op: 'remove', path: 'permissions', value: [{ name: 'project:update' }] }));
    expect(removed.status).toBe(200);
    expect(own(removed.body)).toEqual(['project:delete', 'run:stop']);
    // A catalog id names the same permission.
    await c.call('PATCH', `/scim/Roles/${id}`, patch({ op: 'remove', path: 'permissions', value: [{ name: 'experiments.stop' }] }));
    expect((await row()).permissions).toEqual(['projects.delete']);

    const replaced = await c.call('PUT', `/scim/Roles/${id}`, {
      schemas: [ROLE_URN],
      name: 'Updated custom role',
      description: 'Updated description for the custom role',
      permissions: [{ name: 'project:read' }, { name: 'run:read' }, { name: 'artifact:read' }],
      inheritedFrom: 'viewer',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'Updated custom role', inheritedFrom: 'viewer' });
    expect((await row()).permissions).toEqual(['artifacts.view', 'experiments.view']);
    // GET, then PUT what it showed: the inherited ones stay inherited, nothing is added.
    const shown = (await c.call('GET', `/scim/Roles/${id}`)).body;
    const echoed = await c.call('PUT', `/scim/Roles/${id}`, { ...shown, schemas: [ROLE_URN] });
    expect(echoed.status).toBe(200);
    expect((await row()).permissions).toEqual(['artifacts.view', 'experiments.view']);
  });

  it('refuses a permission name orgbridge does not know, naming it', async () => {
    const r = await c.call('POST', '/scim/Roles', { schemas: [ROLE_URN], name: 'launcher', inheritedFrom: 'viewer', permissions: [{ name: 'launchagent:read' }] });
    expect([r.status, r.body.scimType]).toEqual([400, 'invalidValue']);
    expect(r.body.detail).toContain('launchagent:read');
    expect(await c.db('custom_roles').where({ org_id: c.org.id, name: 'launcher' }).first()).toBeUndefined();
    // An organization permission is a catalog id, but no custom role may hold it.
    const org = await c.call('POST', '/scim/Roles', { schemas: [ROLE_URN], name: 'sneaky', inheritedFrom: 'member', permissions: [{ name: 'org.users.changeRole' }] });
    expect([org.status, org.body.scimType]).toEqual([400, 'invalidValue']);
  });
});
