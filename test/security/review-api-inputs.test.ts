import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { setSeatLicense } from '../../src/domain/organizations.ts';
import { call, useCast, type Cast, type Harness } from '../api/harness.ts';
import { testActor } from '../support/factories.ts';

// Review (admin API): input the database cannot hold is a 4xx, never a 500.

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('seat license counts', () => {
  it('a count beyond a 32-bit integer is refused (422), and the license is unchanged', async () => {
    const before = await call(h, c.as.sysAdmin, 'GET', `${base}/seats`);
    for (const body of [{ fullSeats: 3_000_000_000, viewerSeats: null }, { fullSeats: 5, viewerSeats: 2 ** 31 }]) {
      const r = await call(h, c.as.sysAdmin, 'PUT', `${base}/seats`, body);
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('invalid');
    }
    expect((await call(h, c.as.sysAdmin, 'GET', `${base}/seats`)).body).toEqual(before.body);
    // The largest count there is still works.
    const max = await call(h, c.as.sysAdmin, 'PUT', `${base}/seats`, { fullSeats: 2_147_483_647, viewerSeats: null });
    expect(max.status).toBe(200);
    expect(max.body.license.fullSeats).toBe(2_147_483_647);
  });

  it('the domain command refuses it too (the CLI sets licenses without the admin API)', async () => {
    await expect(runInTransaction(h.t.db, testActor, (tx) => setSeatLicense(tx, c.org.id, { fullSeats: 2 ** 40, viewerSeats: null }))).rejects.toMatchObject({ code: 'invalid' });
  });
});
