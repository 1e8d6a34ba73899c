import type { Knex } from 'knex';

// Role groups get a source (issue 11, SPEC §5): the door whose groups they apply to —
// `scim` (SCIM group pushes), `oidc:<provider name>` (that provider's groups claim at
// sign-in) or `ldap` (the directory's group DNs at sign-in). Until now one row applied to
// all of them, so a group name asserted by any configured provider granted what an admin
// had meant for another.
//
// Existing rows become `scim`, and only `scim`. They were used both by SCIM pushes and by
// sign-in claims, but nothing records which provider an admin had in mind. Copying each
// row to every provider would keep the very hole this closes (a group name asserted by
// any provider granting what was meant for one IdP), and a migration does not know the
// configured providers anyway. LDAP rows could not carry over either: they named a group
// by its first RDN, and LDAP role groups now name the whole DN. So after this migration,
// sign-in group claims grant nothing until an admin re-creates the SSO role groups with
// their source (README.md § Configuration, "Upgrading to migration 007"). Roles already
// granted stay: sign-in never took roles away.
//
// The unique index becomes per source: `admins` at Okta and `admins` in SCIM are two
// groups.
const statements = [
  `alter table role_groups add column source text not null default 'scim'`,
  `alter table role_groups add constraint role_groups_source_check check (source ~ '^(scim|ldap|oidc:[a-z][a-z0-9-]{0,31})$')`,
  `drop index role_groups_name`,
  `create unique index role_groups_name on role_groups (org_id, source, lower(group_name), coalesce(team_id::text, ''))`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
