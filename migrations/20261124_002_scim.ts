import type { Knex } from 'knex';

// Indexes behind SCIM list filters (issue 3: userName, externalId, emails.value and
// displayName must be index-backed). Equality on userName / emails.value / a team's
// displayName already uses the directory's unique key indexes; externalId uses the
// partial unique indexes on (org_id, external_id). Added here:
//   - prefix search (sw) on the NFKC + lower-case keys, whatever the database collation;
//   - a User's displayName, compared case-insensitively (caseExact false).
const statements = [
  `create index if not exists users_user_name_key_prefix on users (user_name_key text_pattern_ops)`,
  `create index if not exists user_emails_value_prefix on user_emails (value_key text_pattern_ops)`,
  `create index if not exists users_display_name_lower on users (lower(display_name))`,
  `create index if not exists teams_org_created on teams (org_id, created_at, id)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
