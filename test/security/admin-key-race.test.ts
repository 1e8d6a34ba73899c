import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.ts';
import { setOrgRole } from '../../src/domain/memberships.ts';
import { createApiKey } from '../../src/domain/service-accounts.ts';
import { actorOf } from '../api/harness.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrg } from '../support/factories.ts';
import { race } from '../support/race.ts';

// An admin API key lives as long as its maker's admin power (issue 14). Made at the very
// moment the maker is demoted, it must not escape: either the key is refused (the maker is
// no longer admin) or the demotion revokes it with the others. On PostgreSQL the two
// transactions truly overlap.

const ROUNDS = 30;
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb(8);
});
afterAll(async () => {
  await t.close();
});

describe('an admin key made while its maker is demoted', () => {
  it(`${ROUNDS} rounds: no key outlives the demotion`, async () => {
    const outcomes = { refused: 0, revoked: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const org = await makeOrg(t.db);
      await makeMember(t.db, org.id, { orgRole: 'admin' }); // another admin: the demotion is allowed
      const maker = (await makeMember(t.db, org.id, { orgRole: 'admin' })).user;
      const makerActor = await actorOf(t.db, maker.id);
      const [made, demoted] = await race(
        t.db,
        (tx) => createApiKey(tx, org.id, { admin: true }, 'racing'),
        (tx) => setOrgRole(tx, org.id, maker.id, 'member'),
        [makerActor, makerActor],
      );
      expect(demoted.status, `round ${round}`).toBe('fulfilled');
      const live = await t.db('api_keys').where({ org_id: org.id, kind: 'admin', created_by: makerActor.id }).whereNull('revoked_at');
      expect(live, `round ${round}: a key made by a demoted admin is still live`).toEqual([]);
      if (made.status === 'rejected') {
        expect(isDomainError(made.reason, 'forbidden'), String(made.reason)).toBe(true);
        outcomes.refused++;
      } else outcomes.revoked++;
    }
    expect(outcomes.refused + outcomes.revoked).toBe(ROUNDS);
  });
});
