import { describe, expect, it } from 'vitest';
import { call, useCast, type Cast, type Harness } from '../api/harness.ts';

// A value within the API's length limits can still be too large for a PostgreSQL index
// entry (about 2,700 bytes: 1,024 four-byte characters are 4,096). That is the request's
// fault, not the server's: 422, nothing written, never a 500.

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('values too large to index', () => {
  it('a role group name of 1,024 four-byte characters is a 422, and nothing is written', async () => {
    // Varied characters (CJK Extension B, a fixed sequence): a repeated one compresses and fits.
    let x = 7;
    const groupName = Array.from({ length: 1024 }, () => String.fromCodePoint(0x20000 + ((x = (x * 48271) % 2147483647) % 40000))).join('');
    const res = await call(h, c.as.admin, 'POST', `${base}/role-groups`, { groupName, orgRole: 'admin' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid');
    expect(res.body.error.message).toMatch(/too long/);
    expect(await h.t.db('role_groups').where({ org_id: c.org.id }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
