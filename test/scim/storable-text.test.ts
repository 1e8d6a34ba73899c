import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_URN, GROUP_URN, patch, startScim, USER_URN, type ScimClient } from './support.ts';

// Issue 14 item 10. PostgreSQL cannot store U+0000 in text (nor a lone UTF-16 surrogate,
// which has no UTF-8 form): such a string reaching SQL failed as a 500. It is refused at
// the seam: 400 invalidFilter in a filter, 400 invalidValue in a body.

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
let c: ScimClient;
beforeAll(async () => { c = await startScim(); });
afterAll(async () => { await c.close(); });

const q = (filter: string) => `/scim/v2/Users?filter=${encodeURIComponent(filter)}`;

describe('strings PostgreSQL cannot store', () => {
  it('in a filter: 400 invalidFilter (raw NUL, escaped NUL, escaped lone surrogates), also in .search and PATCH paths', async () => {
    const filters = ['userName eq "a\u0000"', 'userName eq "a\\u0000"', 'displayName co "\\ud800"', 'title sw "x\\udc00y"', 'emails[value eq "\\u0000"]'];
    for (const f of filters) {
      const r = await c.call('GET', q(f));
      expect([r.status, r.body.scimType, r.body.schemas], f).toEqual([400, 'invalidFilter', [ERROR_URN]]);
    }
    const s = await c.call('POST', '/scim/v2/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "a\u0000"' });
    expect([s.status, s.body.scimType]).toEqual([400, 'invalidFilter']);
    // a well-formed pair and an escaped backslash are fine
    expect((await c.call('GET', q('displayName eq "\\ud83d\\ude00"'))).status).toBe(200);
    expect((await c.call('GET', q('displayName eq "a\\\\u0000"'))).status).toBe(200);
    const g = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'nul team' });
    // a PATCH path arrives in a body: refused there, before its filter is read
    const p = await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'remove', path: 'members[value eq "\u0000"]' }));
    expect([p.status, p.body.scimType]).toEqual([400, 'invalidValue']);
    const escaped = await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'remove', path: 'members[value eq "\\u0000"]' }));
    expect([escaped.status, escaped.body.scimType]).toEqual([400, 'invalidFilter']);
  });

  it('in a body: 400 invalidValue and nothing stored (POST, PUT, PATCH, Bulk, keys too)', async () => {
    const bodies = [
      { schemas: [USER_URN], userName: 'nul\u0000@corp.test' },
      { schemas: [USER_URN], userName: 'nul@corp.test', displayName: 'x\ud800' },
      { schemas: [USER_URN], userName: 'nul@corp.test', name: { givenName: '\udfff' } },
      { schemas: [USER_URN], userName: 'nul@corp.test', emails: [{ value: 'a@b.test', type: 'work\u0000' }] },
      { schemas: [USER_URN], userName: 'nul@corp.test', ['title\u0000']: 'x' },
    ];
    for (const b of bodies) {
      const r = await c.call('POST', '/scim/v2/Users', b);
      expect([r.status, r.body.scimType, r.body.status], JSON.stringify(b)).toEqual([400, 'invalidValue', '400']);
    }
    expect(await c.db('users').where('user_name', 'like', 'nul%')).toEqual([]);
    const u = await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'clean@corp.test' });
    expect(u.status).toBe(201);
    const put = await c.call('PUT', `/scim/v2/Users/${u.body.id}`, { schemas: [USER_URN], userName: 'clean@corp.test', title: 'a\u0000' });
    expect([put.status, put.body.scimType]).toEqual([400, 'invalidValue']);
    const pa = await c.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch({ op: 'replace', path: 'title', value: '\ud800' }));
    expect([pa.status, pa.body.scimType]).toEqual([400, 'invalidValue']);
    expect((await c.db('users').where({ id: u.body.id }).first()).title).toBeNull();
    const bulk = await c.call('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations: [{ method: 'POST', bulkId: 'n', path: '/Users', data: { schemas: [USER_URN], userName: 'bulknul\u0000@corp.test' } }] });
    expect([bulk.status, bulk.body.scimType]).toEqual([400, 'invalidValue']);
    expect(await c.db('users').where('user_name', 'like', 'bulknul%')).toEqual([]);
  });

  it('the detail names where the string was, not its content', async () => {
    const r = await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'ok@corp.test', name: { givenName: 'a\u0000' } });
    expect(r.body.detail).toMatch(/name\.givenName/);
  });
});
