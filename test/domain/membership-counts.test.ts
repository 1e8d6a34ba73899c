import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { removeMember } from '../../src/domain/memberships.ts';
import { MEMBERSHIP_COUNT } from '../../src/scim/resources/users/handlers.ts';
import { onPostgres, useTestDb } from '../support/db.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';

// org_membership_counts (migration 004) stands in for count(*) in the unfiltered SCIM
// /Users total; it must equal the real count after every kind of change.

const t = useTestDb();

const kept = async (orgId: string) => Number((await t.db.raw(MEMBERSHIP_COUNT, [orgId])).rows[0].n);
const real = async (orgId: string) => Number(((await t.db('memberships').where({ org_id: orgId }).count({ n: '*' }).first()) as { n: number }).n);

describe('membership counts kept by triggers', () => {
  it('follow adds, removals, set-based inserts, person and organization deletes', async () => {
    const org = await makeOrg(t.db);
    const other = await makeOrg(t.db);
    expect(await kept(org.id)).toBe(0);
    await makeMember(t.db, org.id, { orgRole: 'admin' }); // removals go through the last-admin guard
    const members: Awaited<ReturnType<typeof makeMember>>[] = [];
    for (let i = 0; i < 5; i++) members.push(await makeMember(t.db, org.id));
    await makeMember(t.db, other.id);
    expect(await kept(org.id)).toBe(6);
    await runInTransaction(t.db, testActor, (tx) => removeMember(tx, org.id, members[0]!.user.id));
    expect(await kept(org.id)).toBe(5);
    // one statement adding 300 (as a bulk load or a set-based command does)
    await t.db.raw(
      `with u as (insert into users (id, org_id, user_name) select gen_random_uuid(), ?, 'bulk-' || g || '@counts.test' from generate_series(1, 300) g returning id)
       insert into memberships (id, org_id, user_id, status, org_role, models_seat) select gen_random_uuid(), ?, id, 'active', 'member', 'none' from u`,
      [org.id, org.id],
    );
    expect(await kept(org.id)).toBe(305);
    // deleting a member record takes its membership (cascade) with it
    await t.db('users').where({ id: members[1]!.user.id }).delete();
    expect(await kept(org.id)).toBe(304);
    // a rolled-back add leaves no trace
    await expect(
      t.db.transaction(async (trx) => {
        await trx.raw(`insert into memberships (id, org_id, user_id, status, org_role, models_seat) values (gen_random_uuid(), ?, ?, 'active', 'member', 'none')`, [other.id, members[2]!.user.id]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await kept(other.id)).toBe(1);
    expect(await kept(org.id)).toBe(await real(org.id));
    expect(await kept(other.id)).toBe(await real(other.id));
    // deleting the organization drops its counters
    await t.db('organizations').where({ id: org.id }).delete();
    expect(await t.db('org_membership_counts').where({ org_id: org.id })).toHaveLength(0);
    expect(await kept(other.id)).toBe(1);
  });

  it('a membership cannot move to another organization', async () => {
    const a = await makeOrg(t.db);
    const b = await makeOrg(t.db);
    const { membership } = await makeMember(t.db, a.id);
    await expect(t.db('memberships').where({ id: membership.id }).update({ org_id: b.id })).rejects.toMatchObject({ code: '23514' });
    await t.db('memberships').where({ id: membership.id }).update({ status: 'deactivated' }); // other updates are untouched
    expect(await kept(a.id)).toBe(1);
  });

  it.skipIf(!onPostgres())('stay exact under 60 concurrent adds and removals from two pools (PostgreSQL)', async () => {
    const org = await makeOrg(t.db);
    await makeMember(t.db, org.id, { orgRole: 'admin' });
    const other = t.testDb.openAnother(10);
    const seeded: Awaited<ReturnType<typeof makeMember>>[] = [];
    for (let i = 0; i < 20; i++) seeded.push(await makeMember(t.db, org.id));
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => makeMember(i % 2 ? t.db : other, org.id)),
      ...seeded.map((m, i) => runInTransaction(i % 2 ? t.db : other, testActor, (tx) => removeMember(tx, org.id, m.user.id))),
    ]);
    expect(await real(org.id)).toBe(41);
    expect(await kept(org.id)).toBe(41);
    // spread over shards (one per backend), summed
    expect(Number((await t.db('org_membership_counts').where({ org_id: org.id }).count({ n: '*' }).first())!.n)).toBeGreaterThan(1);
  });
});
