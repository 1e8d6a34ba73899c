import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_URN, GROUP_URN, patch, startScim, USER_URN, type ScimClient } from './support.ts';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
let c: ScimClient;
beforeAll(async () => {
  c = await startScim({ maxBodyBytes: 4096, maxPatchOperations: 5, bulkMaxOperations: 4, bulkMaxPayloadBytes: 16384, maxFilterLength: 200, maxFilterDepth: 3, maxPageSize: 5, defaultPageSize: 2 });
});
afterAll(async () => { await c.close(); });

describe('limits', () => {
  it('413 for a body over the cap, before it is processed', async () => {
    const r = await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'big@corp.test', title: 'x'.repeat(5000) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '413' });
    expect(await c.db('users').where({ user_name: 'big@corp.test' }).first()).toBeUndefined();
    // the process is unaffected
    expect((await c.call('GET', '/scim/v2/ServiceProviderConfig')).status).toBe(200);
  });

  it('413 for too many PATCH operations', async () => {
    const u = await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'ops@corp.test' });
    const ops = Array.from({ length: 6 }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` }));
    const r = await c.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch(...ops));
    expect(r.status).toBe(413);
    expect(r.body.status).toBe('413');
  });

  it('400 invalidFilter for filters over the length or depth cap', async () => {
    const long = await c.call('GET', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${'x'.repeat(300)}"`)}`);
    expect([long.status, long.body.scimType]).toEqual([400, 'invalidFilter']);
    const deep = await c.call('GET', `/scim/v2/Users?filter=${encodeURIComponent('((((userName pr))))')}`);
    expect([deep.status, deep.body.scimType]).toEqual([400, 'invalidFilter']);
    const ok = await c.call('GET', `/scim/v2/Users?filter=${encodeURIComponent('((userName pr))')}`);
    expect(ok.status).toBe(200);
  });

  it('clamps count to the maximum page size and defaults it', async () => {
    for (let i = 0; i < 6; i++) await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: `page${i}@corp.test` });
    const dflt = await c.call('GET', '/scim/v2/Users');
    expect(dflt.body.itemsPerPage).toBe(2);
    const big = await c.call('GET', '/scim/v2/Users?count=500');
    expect(big.body.itemsPerPage).toBe(5);
    expect(big.body.totalResults).toBeGreaterThanOrEqual(8);
  });

  it('413 for a Bulk request over maxOperations or maxPayloadSize', async () => {
    const ops = Array.from({ length: 5 }, (_, i) => ({ method: 'POST', bulkId: `b${i}`, path: '/Users', data: { schemas: [USER_URN], userName: `bulk-over${i}@corp.test` } }));
    const r = await c.call('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations: ops });
    expect(r.status).toBe(413);
    const big = await c.call('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations: [{ method: 'POST', bulkId: 'x', path: '/Users', data: { schemas: [USER_URN], userName: 'huge@corp.test', title: 'x'.repeat(20000) } }] });
    expect(big.status).toBe(413);
    expect(await c.db('users').whereIn('user_name', ['bulk-over0@corp.test', 'huge@corp.test'])).toEqual([]);
  });
});

describe('Bulk', () => {
  it('runs operations with bulkId references (even forward ones), reporting each', async () => {
    const r = await c.call('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', bulkId: 'g1', path: '/Groups', data: { schemas: [GROUP_URN], displayName: 'bulk team', members: [{ value: 'bulkId:u1' }] } },
        { method: 'POST', bulkId: 'u1', path: '/Users', data: { schemas: [USER_URN], userName: 'bulk1@corp.test' } },
        { method: 'PATCH', path: '/Users/bulkId:u1', data: patch({ op: 'replace', path: 'title', value: 'Bulked' }) },
        { method: 'DELETE', path: '/Users/6b7e3f04-0c3e-4e8c-9c1e-6f7b1f3c9a10' },
      ],
    });
    expect(r.status).toBe(200);
    const [g, u, p, d] = r.body.Operations;
    expect(r.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkResponse']);
    expect(u).toMatchObject({ method: 'POST', bulkId: 'u1', status: '201', location: expect.stringContaining('/Users/') });
    expect(g).toMatchObject({ method: 'POST', bulkId: 'g1', status: '201' });
    expect(p).toMatchObject({ method: 'PATCH', status: '200' });
    expect(d).toMatchObject({ method: 'DELETE', status: '404', response: { schemas: [ERROR_URN], status: '404' } });
    const userId = u.location.split('/').pop();
    const team = await c.db('teams').where({ name: 'bulk team' }).first();
    expect((await c.db('team_members').where({ team_id: team.id })).map((x) => x.user_id)).toEqual([userId]);
    expect((await c.db('users').where({ id: userId }).first()).title).toBe('Bulked');
  });

  it('stops after failOnErrors errors', async () => {
    const r = await c.call('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      failOnErrors: 1,
      Operations: [
        { method: 'POST', bulkId: 'a', path: '/Users', data: { schemas: [USER_URN], userName: 'bulk1@corp.test' } },
        { method: 'POST', bulkId: 'b', path: '/Users', data: { schemas: [USER_URN], userName: 'bulk-never@corp.test' } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.Operations).toHaveLength(1);
    expect(r.body.Operations[0]).toMatchObject({ status: '409', response: { scimType: 'uniqueness' } });
    expect(await c.db('users').where({ user_name: 'bulk-never@corp.test' }).first()).toBeUndefined();
  });

  it('refuses a malformed Bulk request', async () => {
    const r = await c.call('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations: [{ method: 'GET', path: '/Users' }] });
    expect([r.status, r.body.scimType]).toEqual([400, 'invalidSyntax']);
    const circular = await c.call('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', bulkId: 'x', path: '/Groups', data: { schemas: [GROUP_URN], displayName: 'cx', members: [{ value: 'bulkId:y' }] } },
        { method: 'POST', bulkId: 'y', path: '/Groups', data: { schemas: [GROUP_URN], displayName: 'cy', members: [{ value: 'bulkId:x' }] } },
      ],
    });
    expect(circular.body.Operations.map((o: { status: string }) => o.status)).toEqual(['409', '409']);
  });
});
