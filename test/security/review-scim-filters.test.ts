import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_URN, GROUP_URN, LIST_URN, startScim, USER_URN, type ScimClient } from '../scim/support.ts';

// A dateTime in a filter that JavaScript parses but PostgreSQL cannot read back from its
// ISO form (year 0, BC years, years past 9999: "+010000-…") reached SQL as a timestamptz
// and failed there: 500 "internal error" on /Users, /Groups, /Roles and /.search. Such an
// instant lies before (or after) every stored one; the filter compares as that.

let s: ScimClient;
let user: string;
beforeAll(async () => {
  s = await startScim();
  user = (await s.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'dt@corp.test' })).body.id;
  await s.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'dt team' });
});
afterAll(async () => { await s?.close(); });

const q = (path: string, filter: string) => `${path}?filter=${encodeURIComponent(filter)}`;
const EARLY = ['0000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '-200000-01-01T00:00:00Z'];
const LATE = ['+010000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z'];

describe('dateTime filters outside what PostgreSQL reads', () => {
  it('answer 200 with the comparison as it reads (never a 500), on every resource type', async () => {
    for (const path of ['/scim/v2/Users', '/scim/v2/Groups', '/scim/v2/Roles']) {
      for (const v of [...EARLY, ...LATE]) {
        for (const op of ['gt', 'lt', 'eq', 'ne', 'ge', 'le']) {
          const r = await s.call('GET', q(path, `meta.created ${op} "${v}" or meta.lastModified ${op} "${v}"`));
          expect([r.status, r.body.schemas], `${path} ${op} ${v}`).toEqual([200, [LIST_URN]]);
        }
      }
    }
    for (const v of EARLY) {
      const after = await s.call('GET', q('/scim/v2/Users', `meta.created gt "${v}" and id eq "${user}"`));
      expect(after.body.totalResults, v).toBe(1);
      const before = await s.call('GET', q('/scim/v2/Users', `meta.created lt "${v}"`));
      expect(before.body.totalResults, v).toBe(0);
    }
    for (const v of LATE) {
      const before = await s.call('GET', q('/scim/v2/Users', `meta.lastModified lt "${v}" and id eq "${user}"`));
      expect(before.body.totalResults, v).toBe(1);
      const eq = await s.call('GET', q('/scim/v2/Users', `meta.lastModified eq "${v}"`));
      expect(eq.body.totalResults, v).toBe(0);
    }
    const root = await s.call('POST', '/scim/v2/.search', { filter: 'meta.lastModified lt "0000-01-01T00:00:00Z"' });
    expect([root.status, root.body.totalResults]).toEqual([200, 0]);
    const search = await s.call('POST', '/scim/v2/Groups/.search', { filter: 'meta.created gt "+010000-01-01T00:00:00Z"' });
    expect([search.status, search.body.totalResults]).toEqual([200, 0]);
    expect(s.logs.join('')).not.toMatch(/SCIM request failed/);
  });

  it('a dateTime that does not parse is still 400 invalidFilter', async () => {
    const r = await s.call('GET', q('/scim/v2/Users', 'meta.created gt "yesterday"'));
    expect([r.status, r.body.scimType, r.body.schemas]).toEqual([400, 'invalidFilter', [ERROR_URN]]);
  });
});
