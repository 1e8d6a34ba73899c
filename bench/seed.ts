import type { Knex } from 'knex';
import { runInTransaction, systemActor } from '../src/domain/context.ts';
import { addMember } from '../src/domain/memberships.ts';
import { createOrganization } from '../src/domain/organizations.ts';
import { createScimToken } from '../src/domain/scim-tokens.ts';

// Seeds a directory with bare SQL (generate_series): N member records with an email and a
// membership, 1,000 teams of which the first ten have 10,000 members each and the rest
// ten each. The organization, its admin and its SCIM token go through the domain.

export interface Seeded {
  orgId: string;
  token: string;
  bigTeams: string[];
}

export async function seed(db: Knex, users: number, teams: number, log: (s: string) => void): Promise<Seeded> {
  const org = await runInTransaction(db, systemActor, (tx) => createOrganization(tx, { name: 'Bench Org' }));
  await runInTransaction(db, systemActor, (tx) => addMember(tx, { orgId: org.id, person: { userName: 'admin@bench.test', email: 'admin@bench.test' }, orgRole: 'admin' }));
  const { token } = await runInTransaction(db, systemActor, (tx) => createScimToken(tx, org.id, 'bench'));
  const batch = 100_000;
  for (let from = 1; from <= users; from += batch) {
    const to = Math.min(users, from + batch - 1);
    await db.raw(
      `insert into users (id, org_id, user_name, email, display_name, given_name, family_name, created_at, updated_at)
       select md5('u' || g)::uuid, ?, 'user' || g || '@bench.test', 'user' || g || '@bench.test', 'User ' || g, 'Given' || g, 'Family' || g,
              now() - make_interval(secs => ? - g), now() - make_interval(secs => ? - g)
         from generate_series(?::int, ?::int) g`,
      [org.id, users, users, from, to],
    );
    await db.raw(
      `insert into user_emails (user_id, value, type, "primary", position)
       select md5('u' || g)::uuid, 'user' || g || '@bench.test', 'work', true, 0 from generate_series(?::int, ?::int) g`,
      [from, to],
    );
    await db.raw(
      `insert into memberships (id, org_id, user_id, status, org_role, models_seat, external_id, created_at, updated_at)
       select md5('m' || g)::uuid, ?, md5('u' || g)::uuid, 'active', 'member', 'full', 'ext-' || g,
              now() - make_interval(secs => ? - g), now() - make_interval(secs => ? - g)
         from generate_series(?::int, ?::int) g`,
      [org.id, users, users, from, to],
    );
    log(`  seeded users ${from}..${to}`);
  }
  await db.raw(
    `insert into teams (id, org_id, name, created_at) select md5('t' || g)::uuid, ?, 'team-' || g, now() - make_interval(secs => ? - g) from generate_series(1, ?::int) g`,
    [org.id, teams, teams],
  );
  const big = Math.min(10, teams);
  // ten teams × 10,000 members, the other teams ten members each (users 1..N reused)
  await db.raw(
    `insert into team_members (team_id, user_id, role)
     select md5('t' || t)::uuid, md5('u' || (((t - 1) * 10000 + g - 1) % ?::int + 1))::uuid, 'member'
       from generate_series(1, ?::int) t, generate_series(1, ?::int) g`,
    [users, big, Math.min(10_000, users)],
  );
  await db.raw(
    `insert into team_members (team_id, user_id, role)
     select md5('t' || t)::uuid, md5('u' || ((t * 37 + g) % ?::int + 1))::uuid, 'member'
       from generate_series(?::int, ?::int) t, generate_series(1, 10) g on conflict do nothing`,
    [users, big + 1, teams],
  );
  // a steady-state directory: visibility map set (index-only scans), statistics fresh
  await db.raw('vacuum analyze');
  const bigTeams = Array.from({ length: big }, (_, i) => i + 1);
  const ids = (await db.raw(`select md5('t' || g)::uuid as id from unnest(?::int[]) g`, [bigTeams])).rows.map((r: { id: string }) => r.id);
  return { orgId: org.id, token, bigTeams: ids };
}
