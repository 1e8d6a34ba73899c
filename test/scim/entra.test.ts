import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows } from '../support/factories.ts';
import { ENTERPRISE_URN, GROUP_URN, LIST_URN, patch, startScim, USER_URN, type ScimClient } from './support.ts';

// Microsoft Entra ID's provisioning sequence, request by request, with the shapes Entra
// sends (capitalised ops, "False" strings, member removal by value list, the ADSCIM
// schema URN on groups), asserting the response and the directory afterwards.

let c: ScimClient;
beforeAll(async () => { c = await startScim(); });
afterAll(async () => { await c.close(); });

const q = encodeURIComponent;

describe('Entra ID provisioning sequence', () => {
  let userId = '';
  let user2Id = '';
  let groupId = '';

  it('creates a user', async () => {
    const r = await c.call('POST', '/scim/v2/Users', {
      schemas: [USER_URN, ENTERPRISE_URN],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      [ENTERPRISE_URN]: { department: 'Research', manager: { value: 'mgr-1' } },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(r.headers.get('location')).toBe(`http://localhost:8080/scim/v2/Users/${r.body.id}`);
    expect(r.headers.get('etag')).toBe(r.body.meta.version);
    expect(r.body).toMatchObject({
      schemas: expect.arrayContaining([USER_URN, ENTERPRISE_URN]),
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com',
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      active: true,
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      [ENTERPRISE_URN]: { department: 'Research', manager: { value: 'mgr-1' } },
      meta: { resourceType: 'User' },
    });
    userId = r.body.id;
    const m = await c.db('memberships').where({ org_id: c.org.id, user_id: userId }).first();
    expect(m).toMatchObject({ status: 'active', org_role: 'member', models_seat: 'full', external_id: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef' });
    const audit = await auditRows(c.db, { target_id: userId, action: 'member.add' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'scim', actor_label: 'scim token primary', outcome: 'ok' });
  });

  it('gets the user', async () => {
    const r = await c.call('GET', `/scim/v2/Users/${userId}`);
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(userId);
    expect(r.body.emails).toEqual([{ value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com', type: 'work', primary: true }]);
  });

  it('filters by userName (case-insensitively), and finds zero for an unknown one', async () => {
    const r = await c.call('GET', `/scim/v2/Users?filter=${q('userName eq "TEST_USER_AB6490EE-1e48-479e-a20b-2d77186b5dd1@testuser.com"')}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ schemas: [LIST_URN], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(r.body.Resources[0].id).toBe(userId);
    const none = await c.call('GET', `/scim/v2/Users?filter=${q('userName eq "non-existent user"')}`);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ schemas: [LIST_URN], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('updates multi-valued and single-valued attributes', async () => {
    const r = await c.call('PATCH', `/scim/v2/Users/${userId}`, patch(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ));
    expect(r.status).toBe(200);
    expect(r.body.emails).toEqual([{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }]);
    expect(r.body.name.familyName).toBe('updatedFamilyName');
    const u = await c.db('users').where({ id: userId }).first();
    expect(u).toMatchObject({ email: 'updatedEmail@microsoft.com', family_name: 'updatedFamilyName' });

    const single = await c.call('PATCH', `/scim/v2/Users/${userId}`, patch({ op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }));
    expect(single.status).toBe(200);
    expect(single.body.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
  });

  it('accepts Add on a value path that does not exist yet, and path-less dotted / URN keys', async () => {
    const r = await c.call('PATCH', `/scim/v2/Users/${userId}`, patch(
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      { op: 'Replace', value: { displayName: 'Test User', 'name.givenName': 'Given', [`${ENTERPRISE_URN}:department`]: 'Platform', [`${ENTERPRISE_URN}:manager`]: 'mgr-2' } },
    ));
    expect(r.status).toBe(200);
    expect(r.body.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0100' }]);
    expect(r.body.displayName).toBe('Test User');
    expect(r.body.name.givenName).toBe('Given');
    expect(r.body[ENTERPRISE_URN]).toEqual({ department: 'Platform', manager: { value: 'mgr-2' } });
  });

  it('disables the user with "False" (a string)', async () => {
    const r = await c.call('PATCH', `/scim/v2/Users/${userId}`, patch({ op: 'Replace', path: 'active', value: 'False' }));
    expect(r.status).toBe(200);
    expect(r.body.active).toBe(false);
    const m = await c.db('memberships').where({ org_id: c.org.id, user_id: userId }).first();
    expect(m.status).toBe('deactivated');
    expect(m.org_role).toBe('member'); // roles kept
    const again = await c.call('PATCH', `/scim/v2/Users/${userId}`, patch({ op: 'Replace', path: 'active', value: 'True' }));
    expect(again.body.active).toBe(true);
    expect((await c.db('memberships').where({ org_id: c.org.id, user_id: userId }).first()).status).toBe('active');
  });

  it('creates a group and gets it without members', async () => {
    const u2 = await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'second@testuser.com', active: true, emails: [{ primary: true, type: 'work', value: 'second@testuser.com' }] });
    user2Id = u2.body.id;
    const r = await c.call('POST', '/scim/v2/Groups', {
      schemas: [GROUP_URN, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ schemas: [GROUP_URN], displayName: 'displayName', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', members: [], meta: { resourceType: 'Group' } });
    groupId = r.body.id;
    expect(await c.db('teams').where({ id: groupId, org_id: c.org.id }).first()).toMatchObject({ name: 'displayName' });

    const g = await c.call('GET', `/scim/v2/Groups/${groupId}?excludedAttributes=members`);
    expect(g.status).toBe(200);
    expect(g.body.members).toBeUndefined();
    expect(g.body.displayName).toBe('displayName');
  });

  it('filters groups by displayName, without members', async () => {
    const r = await c.call('GET', `/scim/v2/Groups?excludedAttributes=members&filter=${q('displayName eq "displayName"')}`);
    expect(r.status).toBe(200);
    expect(r.body.totalResults).toBe(1);
    expect(r.body.Resources[0]).not.toHaveProperty('members');
    expect(r.body.Resources[0].id).toBe(groupId);
  });

  it('renames the group', async () => {
    const r = await c.call('PATCH', `/scim/v2/Groups/${groupId}`, patch({ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }));
    expect(r.status).toBe(204);
    expect((await c.db('teams').where({ id: groupId }).first()).name).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
  });

  it('adds members', async () => {
    const r = await c.call('PATCH', `/scim/v2/Groups/${groupId}`, patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }, { $ref: null, value: user2Id }] }));
    expect(r.status).toBe(204);
    const rows = await c.db('team_members').where({ team_id: groupId }).orderBy('user_id');
    expect(rows.map((x) => x.user_id).sort()).toEqual([userId, user2Id].sort());
    expect(rows.every((x) => x.role === 'member')).toBe(true);
    // idempotent
    expect((await c.call('PATCH', `/scim/v2/Groups/${groupId}`, patch({ op: 'Add', path: 'members', value: [{ value: userId }] }))).status).toBe(204);
    expect(await c.db('team_members').where({ team_id: groupId }).count({ n: '*' }).first()).toMatchObject({ n: 2 });
  });

  it('removes members by value list (only those listed) and by value filter', async () => {
    const r = await c.call('PATCH', `/scim/v2/Groups/${groupId}`, patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: userId }] }));
    expect(r.status).toBe(204);
    expect((await c.db('team_members').where({ team_id: groupId })).map((x) => x.user_id)).toEqual([user2Id]);
    const f = await c.call('PATCH', `/scim/v2/Groups/${groupId}`, patch({ op: 'Remove', path: `members[value eq "${user2Id}"]` }));
    expect(f.status).toBe(204);
    expect(await c.db('team_members').where({ team_id: groupId })).toEqual([]);
    // removing someone who is not there is not an error
    expect((await c.call('PATCH', `/scim/v2/Groups/${groupId}`, patch({ op: 'Remove', path: 'members', value: [{ value: user2Id }] }))).status).toBe(204);
  });

  it('deletes the group, then the user (the record and its membership gone, the audit kept)', async () => {
    expect((await c.call('DELETE', `/scim/v2/Groups/${groupId}`)).status).toBe(204);
    expect(await c.db('teams').where({ id: groupId }).first()).toBeUndefined();
    expect((await c.call('GET', `/scim/v2/Groups/${groupId}`)).status).toBe(404);

    const d = await c.call('DELETE', `/scim/v2/Users/${userId}`);
    expect(d.status).toBe(204);
    expect(d.body).toBeUndefined();
    expect(await c.db('memberships').where({ org_id: c.org.id, user_id: userId }).first()).toBeUndefined();
    expect(await c.db('users').where({ id: userId }).first()).toBeUndefined();
    expect((await c.call('GET', `/scim/v2/Users/${userId}`)).status).toBe(404);
    const audit = await auditRows(c.db, { target_id: userId, action: 'member.remove' });
    expect(audit).toHaveLength(1);
  });
});
