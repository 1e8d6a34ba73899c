import type { Knex } from 'knex';

// Failed-sign-in counters for the LDAP password form (src/sso/ldap/throttle.ts). Kept in
// PostgreSQL so every instance sharing the database counts the same failures (SPEC §7:
// instances are stateless). A row is one key's fixed window: hits since reset_at minus
// the window; maintenance deletes rows whose window has passed.
const statements = [
  `create table if not exists login_throttle (
     key text primary key,
     hits integer not null check (hits >= 0),
     reset_at timestamptz not null
   )`,
  `create index if not exists login_throttle_reset_at on login_throttle (reset_at)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
