import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows } from '../support/factories.ts';
import { ERROR_URN, GROUP_URN, LIST_URN, patch, startScim, USER_URN, type ScimClient } from './support.ts';

// Okta's SCIM 2.0 provisioning sequence with Okta's request shapes (served at /scim, as
// the seed product documents): lookup with startIndex/count, create with password and
// groups, duplicate, GET + PUT, path-less deactivate, group push, rename carrying id,
// membership delta, full-list replace, delete.

let c: ScimClient;
beforeAll(async () => { c = await startScim(); });
afterAll(async () => { await c.close(); });

const q = encodeURIComponent;
const oktaUser = (userName: string, externalId: string) => ({
  schemas: [USER_URN],
  userName,
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId,
  groups: [],
  password: '1mz050nq',
  active: true,
});

describe('Okta provisioning sequence', () => {
  let userId = '';
  let user2Id = '';
  let groupId = '';
  let created: any;

  it('looks the user up with startIndex=1&count=100 and finds nobody', async () => {
    const r = await c.call('GET', `/scim/Users?filter=${q('userName eq "test.user@okta.local"')}&startIndex=1&count=100`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ schemas: [LIST_URN], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('creates the user (password accepted, not stored or returned)', async () => {
    const r = await c.call('POST', '/scim/Users', oktaUser('test.user@okta.local', '00ujl29u0le5T6Aj10h7'));
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`http://localhost:8080/scim/Users/${r.body.id}`);
    expect(r.body).toMatchObject({ userName: 'test.user@okta.local', active: true, displayName: 'Test User', locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7' });
    expect(JSON.stringify(r.body)).not.toContain('1mz050nq');
    userId = r.body.id;
    created = r.body;
    const u = await c.db('users').where({ id: userId }).first();
    expect(JSON.stringify(u)).not.toContain('1mz050nq');
    const m = await c.db('memberships').where({ org_id: c.org.id, user_id: userId }).first();
    expect(m.idp_owned).toEqual(expect.arrayContaining(['userName', 'emails', 'name']));
  });

  it('refuses the duplicate with 409 uniqueness (also in another case)', async () => {
    const r = await c.call('POST', '/scim/Users', oktaUser('Test.User@OKTA.local', 'another-external-id'));
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '409', scimType: 'uniqueness' });
    expect(await c.db('memberships').where({ org_id: c.org.id }).count({ n: '*' }).first()).toMatchObject({ n: 2 }); // admin + user
  });

  it('GETs then PUTs a profile update', async () => {
    const g = await c.call('GET', `/scim/Users/${userId}`);
    expect(g.status).toBe(200);
    const body = { ...g.body, schemas: [USER_URN], name: { givenName: 'Another', familyName: 'User' }, groups: [], password: 'x' };
    delete body['urn:orgbridge:params:scim:schemas:extension:orgbridge:2.0:User'];
    const r = await c.call('PUT', `/scim/Users/${userId}`, body);
    expect(r.status).toBe(200);
    expect(r.body.name).toEqual({ givenName: 'Another', familyName: 'User' });
    expect(r.body.meta.version).not.toBe(created.meta.version);
    expect((await c.db('users').where({ id: userId }).first()).given_name).toBe('Another');
    // the orgbridge extension, absent from Okta's PUT, kept its values
    expect(r.body['urn:orgbridge:params:scim:schemas:extension:orgbridge:2.0:User'].organizationRole).toBe('member');
  });

  it('deactivates with a path-less replace', async () => {
    const r = await c.call('PATCH', `/scim/Users/${userId}`, patch({ op: 'replace', value: { active: false } }));
    expect(r.status).toBe(200);
    expect(r.body.active).toBe(false);
    expect((await c.db('memberships').where({ org_id: c.org.id, user_id: userId }).first()).status).toBe('deactivated');
    expect(await auditRows(c.db, { target_id: userId, action: 'member.deactivate' })).toHaveLength(1);
  });

  it('pushes a group', async () => {
    const u2 = await c.call('POST', '/scim/Users', oktaUser('second.user@okta.local', '00ujl29u0le5T6Aj10h8'));
    user2Id = u2.body.id;
    const look = await c.call('GET', `/scim/Groups?filter=${q('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`);
    expect(look.body.totalResults).toBe(0);
    const r = await c.call('POST', '/scim/Groups', { schemas: [GROUP_URN], displayName: 'Test SCIMv2', members: [{ value: userId, display: 'test.user@okta.local' }] });
    expect(r.status).toBe(201);
    expect(r.body.members).toEqual([{ value: userId, display: 'test.user@okta.local', type: 'User', $ref: `http://localhost:8080/scim/Users/${userId}` }]);
    groupId = r.body.id;
  });

  it('renames the group with a path-less replace that carries the id', async () => {
    const r = await c.call('PATCH', `/scim/Groups/${groupId}`, patch({ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 (renamed)' } }));
    expect(r.status).toBe(204);
    expect((await c.db('teams').where({ id: groupId }).first()).name).toBe('Test SCIMv2 (renamed)');
    const other = await c.call('PATCH', `/scim/Groups/${groupId}`, patch({ op: 'replace', value: { id: '00000000-0000-0000-0000-000000000000', displayName: 'x' } }));
    expect(other.status).toBe(400);
    expect(other.body.scimType).toBe('mutability');
  });

  it('applies a membership delta', async () => {
    const r = await c.call('PATCH', `/scim/Groups/${groupId}`, patch(
      { op: 'remove', path: `members[value eq "${userId}"]` },
      { op: 'add', path: 'members', value: [{ value: user2Id, display: 'second.user@okta.local' }] },
    ));
    expect(r.status).toBe(204);
    expect((await c.db('team_members').where({ team_id: groupId })).map((x) => x.user_id)).toEqual([user2Id]);
  });

  it('applies a full-list replace (PATCH and PUT)', async () => {
    const r = await c.call('PATCH', `/scim/Groups/${groupId}`, patch({ op: 'replace', path: 'members', value: [{ value: userId }] }));
    expect(r.status).toBe(204);
    expect((await c.db('team_members').where({ team_id: groupId })).map((x) => x.user_id)).toEqual([userId]);
    const put = await c.call('PUT', `/scim/Groups/${groupId}`, { schemas: [GROUP_URN], id: groupId, displayName: 'Test SCIMv2 (renamed)', members: [{ value: userId }, { value: user2Id }] });
    expect(put.status).toBe(200);
    expect(put.body.members.map((m: { value: string }) => m.value).sort()).toEqual([userId, user2Id].sort());
  });

  it('deletes the group', async () => {
    expect((await c.call('DELETE', `/scim/Groups/${groupId}`)).status).toBe(204);
    expect(await c.db('teams').where({ id: groupId }).first()).toBeUndefined();
    expect(await c.db('users').where({ id: userId }).first()).toBeDefined();
  });

  it('searches with POST /.search', async () => {
    const r = await c.call('POST', '/scim/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "test."', attributes: ['userName', 'active'], sortBy: 'userName', sortOrder: 'descending', startIndex: 1, count: 10 });
    expect(r.status).toBe(200);
    expect(r.body.totalResults).toBe(1);
    expect(r.body.Resources).toEqual([{ schemas: [USER_URN], id: userId, userName: 'test.user@okta.local', active: false }]);
  });

  it('lists users a page at a time', async () => {
    const r = await c.call('GET', '/scim/Users?startIndex=1&count=2');
    expect(r.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 2 });
    const r2 = await c.call('GET', '/scim/Users?startIndex=3&count=2');
    expect(r2.body).toMatchObject({ totalResults: 3, startIndex: 3, itemsPerPage: 1 });
    const clamp = await c.call('GET', '/scim/Users?startIndex=0&count=-5');
    expect(clamp.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });
});
