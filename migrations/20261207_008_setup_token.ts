import type { Knex } from 'knex';

// The first-run setup link (issue 12): while a deployment is empty, each start issues a
// one-time setup token; only its SHA-256 is kept, on the single instance row.
const statements = [
  `alter table instance add column if not exists setup_token_hash text`,
  `alter table instance add column if not exists setup_token_expires_at timestamptz`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
