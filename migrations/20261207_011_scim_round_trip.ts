import type { Knex } from 'knex';

// What the SCIM schema declares writable must round-trip (issue 13, SPEC §4 "never
// silently dropped"): an email's `display` (RFC 7643 §2.4) and a custom role's
// `externalId` (RFC 7643 §3.1) had no column and were dropped with a 200.
const statements = [
  `alter table user_emails add column if not exists display text`,
  `alter table custom_roles add column if not exists external_id text`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
