import type { Knex } from 'knex';

// How many memberships an organization has, kept by the database itself, so that an
// unfiltered SCIM /Users page (what Okta's import and every "list all" sends) reports
// `totalResults` without counting a million index entries (`count(*)` took ~55 ms at
// 1,000,000 memberships; BENCHMARKS.md). Exact, not estimated: IdPs page until
// startIndex passes totalResults.
//
//  - Statement-level triggers with transition tables: one upsert per statement, whether it
//    adds one membership or a million (bulk loads, set-based commands).
//  - Sharded by the backend's pid (32 shards per organization): concurrent creates on
//    different connections update different rows, so they do not queue on one counter row
//    until each other's commit. The count is the sum of an organization's shards.
//  - A membership never changes organization (enforced below), so inserts and deletes are
//    the only changes to count.
//  - No foreign key to organizations: the counter rows go with the organization through a
//    delete trigger on organizations, and the cascade that deletes its memberships (whose
//    statement trigger fires after that one) skips organizations that no longer exist.
const statements = [
  `create table if not exists org_membership_counts (
     org_id uuid not null,
     shard smallint not null,
     n bigint not null,
     primary key (org_id, shard)
   )`,
  `create or replace function org_membership_counts_add() returns trigger language plpgsql as $$
   begin
     insert into org_membership_counts as c (org_id, shard, n)
       select org_id, (pg_backend_pid() % 32)::smallint, count(*) from added group by org_id
       on conflict (org_id, shard) do update set n = c.n + excluded.n;
     return null;
   end $$`,
  `create or replace function org_membership_counts_remove() returns trigger language plpgsql as $$
   begin
     insert into org_membership_counts as c (org_id, shard, n)
       select org_id, (pg_backend_pid() % 32)::smallint, -count(*) from removed
        where exists (select 1 from organizations o where o.id = removed.org_id)
        group by org_id
       on conflict (org_id, shard) do update set n = c.n + excluded.n;
     return null;
   end $$`,
  `create or replace function org_membership_counts_drop_org() returns trigger language plpgsql as $$
   begin
     delete from org_membership_counts c using gone where c.org_id = gone.id;
     return null;
   end $$`,
  `create or replace function memberships_org_id_immutable() returns trigger language plpgsql as $$
   begin
     raise exception 'a membership cannot move to another organization' using errcode = '23514';
   end $$`,
  `drop trigger if exists memberships_count_add on memberships`,
  `create trigger memberships_count_add after insert on memberships
     referencing new table as added for each statement execute function org_membership_counts_add()`,
  `drop trigger if exists memberships_count_remove on memberships`,
  `create trigger memberships_count_remove after delete on memberships
     referencing old table as removed for each statement execute function org_membership_counts_remove()`,
  `drop trigger if exists organizations_count_drop on organizations`,
  `create trigger organizations_count_drop after delete on organizations
     referencing old table as gone for each statement execute function org_membership_counts_drop_org()`,
  `drop trigger if exists memberships_org_id_fixed on memberships`,
  `create trigger memberships_org_id_fixed before update of org_id on memberships
     for each row when (old.org_id is distinct from new.org_id) execute function memberships_org_id_immutable()`,
  // what exists already, in one shard
  `delete from org_membership_counts`,
  `insert into org_membership_counts (org_id, shard, n) select org_id, 0, count(*) from memberships group by org_id`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
