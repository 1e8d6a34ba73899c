import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_URN, ORGBRIDGE_URN, patch, startScim, USER_URN, type ScimClient } from '../scim/support.ts';

// A null element in the orgbridge extension's teamRoles or registryRoles (POST, PUT,
// PATCH, Bulk) reached the code reading the element's team/registry and threw a
// TypeError: 500 "internal error". It names nothing: 400 invalidValue, nothing changed.

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
let s: ScimClient;
beforeAll(async () => { s = await startScim(); });
afterAll(async () => { await s?.close(); });

const expect400 = (r: { status: number; body: any }, what: string) =>
  expect([r.status, r.body?.scimType, r.body?.schemas], what).toEqual([400, 'invalidValue', [ERROR_URN]]);

describe('null elements in teamRoles and registryRoles', () => {
  it('POST, PUT, PATCH and Bulk answer 400 invalidValue, never 500', async () => {
    for (const attr of ['teamRoles', 'registryRoles']) {
      const post = await s.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: `new-${attr}@corp.test`, [ORGBRIDGE_URN]: { [attr]: [null] } });
      expect400(post, `POST ${attr}`);
      const u = await s.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: `has-${attr}@corp.test` });
      expect(u.status).toBe(201);
      expect400(await s.call('PUT', `/scim/v2/Users/${u.body.id}`, { schemas: [USER_URN], userName: `has-${attr}@corp.test`, [ORGBRIDGE_URN]: { [attr]: [null] } }), `PUT ${attr}`);
      expect400(await s.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch({ op: 'add', path: attr, value: [null] })), `PATCH add ${attr}`);
      expect400(await s.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch({ op: 'replace', value: { [attr]: [null] } })), `PATCH path-less ${attr}`);
      const bulk = await s.call('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations: [{ method: 'PATCH', path: `/Users/${u.body.id}`, data: patch({ op: 'add', path: attr, value: [null] }) }] });
      expect(bulk.body.Operations[0], `Bulk ${attr}`).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
    }
    expect(await s.db('users').where({ org_id: s.org.id }).where('user_name', 'like', 'new-%')).toEqual([]);
    expect(s.logs.join('')).not.toMatch(/SCIM request failed|bulk operation failed/);
  });
});
