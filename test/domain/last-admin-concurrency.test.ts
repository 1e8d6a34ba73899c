import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction, type Tx } from '../../src/domain/context.ts';
import { isDomainError } from '../../src/domain/errors.ts';
import { countActiveAdmins } from '../../src/domain/last-admin-guard.ts';
import { deactivateMember, removeMember, setOrgRole } from '../../src/domain/memberships.ts';
import { createAccount } from '../../src/domain/accounts.ts';
import { setSystemAdmin } from '../../src/domain/system-admins.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { race } from '../support/race.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';

// SPEC §3 under concurrency: two transactions each take away one of the last two admins.
// On PostgreSQL (CI) they really overlap: both have begun and done a query before either
// issues its change. On PGlite (one connection) they queue, which must give the same answer.

const ROUNDS = 50;
type Removal = (tx: Tx, orgId: string, userId: string) => Promise<unknown>;
const KINDS: Record<string, [Removal, Removal]> = {
  deactivation: [(tx, o, u) => deactivateMember(tx, o, u), (tx, o, u) => deactivateMember(tx, o, u)],
  'role change': [(tx, o, u) => setOrgRole(tx, o, u, 'member'), (tx, o, u) => setOrgRole(tx, o, u, 'viewer')],
  removal: [(tx, o, u) => removeMember(tx, o, u), (tx, o, u) => removeMember(tx, o, u)],
  'deactivation vs removal': [(tx, o, u) => deactivateMember(tx, o, u), (tx, o, u) => removeMember(tx, o, u)],
};

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb(8);
});
afterAll(async () => {
  await t.close();
});

describe('last-admin guard under concurrency', () => {
  for (const [kind, [first, second]] of Object.entries(KINDS)) {
    it(`${kind}: ${ROUNDS} rounds, each ends with one active admin and exactly one refusal`, async () => {
      let refusals = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const org = await makeOrg(t.db);
        const a = await makeMember(t.db, org.id, { orgRole: 'admin' });
        const b = await makeMember(t.db, org.id, { orgRole: 'admin' });
        const results = await race(t.db, (tx) => first(tx, org.id, a.user.id), (tx) => second(tx, org.id, b.user.id));
        const rejected = results.filter((r) => r.status === 'rejected');
        expect(rejected, `round ${round}`).toHaveLength(1);
        const reason = (rejected[0] as PromiseRejectedResult).reason;
        expect(isDomainError(reason, 'last_admin'), String(reason)).toBe(true);
        refusals += 1;
        const admins = await t.db.transaction((trx) => countActiveAdmins(trx, org.id));
        expect(admins, `round ${round}`).toBe(1);
        const refused = await t.db('audit_log').where({ org_id: org.id, outcome: 'refused' });
        expect(refused).toHaveLength(1);
        expect(refused[0].reason).toContain('last-admin rule');
      }
      expect(refusals).toBe(ROUNDS);
    });
  }

  it(`system admins: ${ROUNDS} rounds, the instance always keeps one`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await t.db('accounts').update({ system_admin: false });
      const [a, b] = await Promise.all([0, 1].map((i) => runInTransaction(t.db, testActor, (tx) => createAccount(tx, { email: `sys-${round}-${i}@ops.example` }))));
      await t.db('accounts').whereIn('id', [a!.id, b!.id]).update({ system_admin: true });
      const results = await race(t.db, (tx) => setSystemAdmin(tx, a!.id, false), (tx) => setSystemAdmin(tx, b!.id, false));
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected, `round ${round}`).toHaveLength(1);
      expect(isDomainError((rejected[0] as PromiseRejectedResult).reason, 'last_admin')).toBe(true);
      const left = await t.db('accounts').where({ system_admin: true }).count<{ n: number }[]>({ n: '*' });
      expect(Number(left[0]!.n)).toBe(1);
    }
  });
});
