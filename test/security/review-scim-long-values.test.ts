import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_URN, GROUP_URN, patch, startScim, USER_URN, type ScimClient } from '../scim/support.ts';

// userName, emails, displayName and externalId are indexed (btree). A value whose index
// entry is larger than PostgreSQL's limit (about 2,700 bytes after compression) fails in
// the database with program_limit_exceeded: it was answered 500 "internal error" on POST,
// PUT, PATCH and Bulk. It is the client's value that cannot be stored: 400 invalidValue,
// nothing written.

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
let s: ScimClient;
beforeAll(async () => { s = await startScim(); });
afterAll(async () => { await s?.close(); });

// Random text does not compress, so its index entry really is this long.
const long = (n = 9000) => randomBytes(n).toString('base64').slice(0, n);

describe('values too long for their index', () => {
  it('POST /Users, /Groups: 400 invalidValue, nothing stored', async () => {
    const bodies = [
      { schemas: [USER_URN], userName: long() },
      { schemas: [USER_URN], userName: 'mail@corp.test', emails: [{ value: `${long()}@corp.test`, primary: true }] },
      { schemas: [USER_URN], userName: 'shown@corp.test', displayName: long() },
      { schemas: [USER_URN], userName: 'ext@corp.test', externalId: long() },
    ];
    for (const b of bodies) {
      const r = await s.call('POST', '/scim/v2/Users', b);
      expect([r.status, r.body.scimType, r.body.schemas], Object.keys(b).join()).toEqual([400, 'invalidValue', [ERROR_URN]]);
      expect(r.body.detail).not.toMatch(/index|btree|users_/);
    }
    const g = await s.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'long ext', externalId: long() });
    expect([g.status, g.body.scimType]).toEqual([400, 'invalidValue']);
    expect(await s.db('users').where({ org_id: s.org.id }).whereNot({ id: s.admin.id })).toEqual([]);
    expect(await s.db('teams').where({ org_id: s.org.id })).toEqual([]);
    expect(s.logs.join('')).not.toMatch(/SCIM request failed/);
  });

  it('PUT, PATCH and Bulk: 400 invalidValue, the record unchanged', async () => {
    const u = await s.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'keep@corp.test' });
    expect(u.status).toBe(201);
    const put = await s.call('PUT', `/scim/v2/Users/${u.body.id}`, { schemas: [USER_URN], userName: long() });
    expect([put.status, put.body.scimType]).toEqual([400, 'invalidValue']);
    const pa = await s.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch({ op: 'replace', path: 'externalId', value: long() }));
    expect([pa.status, pa.body.scimType]).toEqual([400, 'invalidValue']);
    const bulk = await s.call('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations: [{ method: 'POST', bulkId: 'l', path: '/Users', data: { schemas: [USER_URN], userName: long() } }] });
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations[0]).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
    const now = await s.call('GET', `/scim/v2/Users/${u.body.id}`);
    expect(now.body.userName).toBe('keep@corp.test');
    expect(now.body.externalId).toBeUndefined();
    expect(s.logs.join('')).not.toMatch(/SCIM request failed|bulk operation failed/);
  });
});
