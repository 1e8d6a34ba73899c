import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { revokeScimToken } from '../../src/domain/scim-tokens.ts';
import { testActor } from '../support/factories.ts';
import { callWith, ERROR_URN, GROUP_URN, patch, startScim, USER_URN, type ScimClient } from './support.ts';

let c: ScimClient;
beforeAll(async () => { c = await startScim(); });
afterAll(async () => { await c.close(); });

const ROUTES: [string, string][] = [
  ['GET', '/scim/v2/Users'],
  ['POST', '/scim/v2/Users'],
  ['GET', '/scim/v2/Groups'],
  ['GET', '/scim/v2/Roles'],
  ['POST', '/scim/v2/Bulk'],
  ['GET', '/scim/v2/ServiceProviderConfig'],
  ['GET', '/scim/v2/ResourceTypes'],
  ['GET', '/scim/v2/Schemas'],
  ['GET', '/scim/ServiceProviderConfig'],
  ['GET', '/scim/v2/NoSuchThing'],
];

function expectUnauthorized(r: { status: number; headers: Headers; body: any }) {
  expect(r.status).toBe(401);
  expect(r.headers.get('www-authenticate')).toBe('Bearer realm="orgbridge"');
  expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '401' });
  expect(typeof r.body.detail).toBe('string');
}

describe('authentication', () => {
  it('401 without a token on every route, discovery included', async () => {
    for (const [method, path] of ROUTES) expectUnauthorized(await callWith(c.url, null, method, path));
  });

  it('401 for malformed, unknown and revoked tokens', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer  ', 'Bearer a b', 'token abc']) {
      expectUnauthorized(await callWith(c.url, null, 'GET', '/scim/v2/Users', undefined, { authorization: header }));
    }
    expectUnauthorized(await callWith(c.url, 'obscim_unknown', 'GET', '/scim/v2/Users'));
    const other = await c.newOrg();
    expect((await callWith(c.url, other.token, 'GET', '/scim/v2/Users')).status).toBe(200);
    const tokenRow = await c.db('scim_tokens').where({ org_id: other.org.id }).first();
    await runInTransaction(c.db, testActor, (tx) => revokeScimToken(tx, tokenRow.id));
    expectUnauthorized(await callWith(c.url, other.token, 'GET', '/scim/v2/ServiceProviderConfig'));
  });

  it('a token never sees another organization', async () => {
    const mine = await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'isolated@a.test' });
    const group = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'isolated' });
    const other = await c.newOrg();
    const as = (m: string, p: string, b?: unknown) => callWith(c.url, other.token, m, p, b);
    expect((await as('GET', `/scim/v2/Users/${mine.body.id}`)).status).toBe(404);
    expect((await as('PATCH', `/scim/v2/Users/${mine.body.id}`, patch({ op: 'replace', path: 'active', value: false }))).status).toBe(404);
    expect((await as('DELETE', `/scim/v2/Users/${mine.body.id}`)).status).toBe(404);
    expect((await as('GET', `/scim/v2/Groups/${group.body.id}`)).status).toBe(404);
    const f = await as('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "isolated@a.test"')}`);
    expect(f.body.totalResults).toBe(0);
    const all = await as('GET', '/scim/v2/Users');
    expect(all.body.Resources.map((u: { id: string }) => u.id)).not.toContain(mine.body.id);
    // and cannot pull this organization's user into its own team
    const theirs = await as('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'theirs' });
    const add = await as('PATCH', `/scim/v2/Groups/${theirs.body.id}`, patch({ op: 'add', path: 'members', value: [{ value: mine.body.id }] }));
    expect(add.status).toBe(400);
    expect(add.body.scimType).toBe('invalidValue');
    expect((await c.db('memberships').where({ org_id: c.org.id, user_id: mine.body.id }).first()).status).toBe('active');
  });
});

describe('routing', () => {
  it('404 with a SCIM error for unknown resources and endpoints', async () => {
    for (const path of ['/scim/v2/Users/6b7e3f04-0c3e-4e8c-9c1e-6f7b1f3c9a10', '/scim/v2/Users/not-a-uuid', '/scim/v2/Groups/6b7e3f04-0c3e-4e8c-9c1e-6f7b1f3c9a10', '/scim/v2/Roles/6b7e3f04-0c3e-4e8c-9c1e-6f7b1f3c9a10', '/scim/v2/Schemas/urn:nope', '/scim/v2/Me', '/scim/v2/Users/a/b']) {
      const r = await c.call('GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '404' });
    }
  });

  it('400 invalidVers for a SCIM version other than 2 in the path (RFC 7644 §3.13)', async () => {
    for (const path of ['/scim/v1/Users', '/scim/v3/ServiceProviderConfig', '/scim/V1']) {
      const r = await c.call('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '400', scimType: 'invalidVers', detail: expect.stringContaining('/scim/v2') });
    }
    expect((await c.call('GET', '/scim/v2/v2/Users')).status).toBe(404); // our version, no such endpoint
  });

  it('odd ids and paging values are answered, never a 500', async () => {
    expect((await c.call('GET', '/scim/v2/Users/%E0%A4%A')).status).toBe(404);
    const far = await c.call('GET', '/scim/v2/Users?startIndex=99999999999999999999&count=99999999999999999999');
    expect(far.status).toBe(200);
    expect(far.body.Resources).toEqual([]);
  });

  it('405 with Allow for methods a resource does not support', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/scim/v2/Users', 'GET, POST'],
      ['PUT', '/scim/v2/Groups', 'GET, POST'],
      ['POST', '/scim/v2/Users/6b7e3f04-0c3e-4e8c-9c1e-6f7b1f3c9a10', 'GET, PUT, PATCH, DELETE'],
      ['PUT', '/scim/v2/ServiceProviderConfig', 'GET'],
      ['GET', '/scim/v2/Bulk', 'POST'],
      ['DELETE', '/scim/v2/Schemas', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      const r = await c.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.headers.get('allow')).toBe(allow);
      expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '405' });
    }
  });

  it('accepts application/json, answers application/scim+json, refuses other types', async () => {
    const r = await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'json@a.test' }, { 'content-type': 'application/json; charset=utf-8' });
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    const bad = await c.call('POST', '/scim/v2/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(bad.status).toBe(415);
    expect(bad.body).toMatchObject({ schemas: [ERROR_URN], status: '415' });
  });

  it('serves discovery derived from the schemas', async () => {
    const spc = await c.call('GET', '/scim/v2/ServiceProviderConfig');
    expect(spc.body).toMatchObject({ patch: { supported: true }, bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 }, filter: { supported: true, maxResults: 1000 }, etag: { supported: true }, sort: { supported: true } });
    const rts = await c.call('GET', '/scim/v2/ResourceTypes');
    expect(rts.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group', 'Role']);
    const schemas = await c.call('GET', '/scim/v2/Schemas');
    expect(schemas.body.totalResults).toBe(5);
    const user = await c.call('GET', `/scim/v2/Schemas/${USER_URN}`);
    const userName = user.body.attributes.find((a: { name: string }) => a.name === 'userName');
    expect(userName).toEqual({ name: 'userName', type: 'string', multiValued: false, description: expect.any(String), required: true, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'server' });
    const groups = user.body.attributes.find((a: { name: string }) => a.name === 'groups');
    expect(groups.mutability).toBe('readOnly');
    expect((await c.call('GET', '/scim/v2/ResourceTypes/Group')).body.endpoint).toBe('/Groups');
  });
});
