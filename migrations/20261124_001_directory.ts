import type { Knex } from 'knex';

// The directory (SPEC §1). Forward-only: each statement runs on its own because PGlite
// executes one statement per extended-protocol query.
//
// Case-insensitive identity: userName and email compare under NFKC + lower-case
// (SPEC §1). The database computes the key itself (a generated column) and a unique
// index enforces it, so no code path can insert a variant duplicate.
const statements = [
  `create table instance (
     id smallint primary key default 1 check (id = 1),
     created_at timestamptz not null default now()
   )`,
  `insert into instance (id) values (1)`,

  `create table organizations (
     id uuid primary key,
     name text not null,
     slug text not null unique,
     default_team_id uuid,
     models_full_seats integer check (models_full_seats >= 0),
     models_viewer_seats integer check (models_viewer_seats >= 0),
     default_models_seat text not null default 'full' check (default_models_seat in ('full','viewer','none')),
     seat_overflow text not null default 'viewer' check (seat_overflow in ('viewer','refuse')),
     billing_admin_user_id uuid,
     auto_provisioning boolean not null default false,
     domain_capture boolean not null default false,
     team_join_at_signup boolean not null default false,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create unique index organizations_name_key on organizations (lower(name))`,

  // A domain belongs to at most one organization: the primary key says so.
  `create table org_domains (
     domain text primary key check (domain = lower(domain)),
     org_id uuid not null references organizations(id) on delete cascade,
     created_at timestamptz not null default now()
   )`,
  `create index org_domains_org on org_domains (org_id)`,

  `create table users (
     id uuid primary key,
     user_name text not null,
     user_name_key text generated always as (lower(normalize(user_name, NFKC))) stored,
     email text,
     email_key text generated always as (lower(normalize(email, NFKC))) stored,
     display_name text,
     given_name text,
     family_name text,
     middle_name text,
     honorific_prefix text,
     honorific_suffix text,
     nick_name text,
     title text,
     locale text,
     timezone text,
     preferred_language text,
     profile jsonb not null default '{}'::jsonb,
     system_admin boolean not null default false,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create unique index users_user_name_key on users (user_name_key)`,
  `create unique index users_email_key on users (email_key)`,
  `create index users_system_admin on users (id) where system_admin`,

  // Every address a person has (SCIM emails); the primary one is mirrored in users.email.
  `create table user_emails (
     user_id uuid not null references users(id) on delete cascade,
     value text not null,
     value_key text generated always as (lower(normalize(value, NFKC))) stored,
     type text,
     "primary" boolean not null default false,
     position smallint not null default 0,
     primary key (user_id, value_key)
   )`,
  `create index user_emails_value on user_emails (value_key)`,

  `create table custom_roles (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     name text not null,
     description text not null default '',
     base text not null check (base in ('viewer','member')),
     permissions jsonb not null default '[]'::jsonb,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create unique index custom_roles_name on custom_roles (org_id, lower(name))`,

  `create table memberships (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     user_id uuid not null references users(id) on delete cascade,
     status text not null check (status in ('pending','active','deactivated')),
     org_role text not null check (org_role in ('admin','member','viewer')),
     custom_role_id uuid references custom_roles(id) on delete set null,
     models_seat text not null check (models_seat in ('full','viewer','none')),
     weave_access text not null default 'full' check (weave_access in ('full','viewer','none')),
     external_id text,
     idp_owned jsonb not null default '[]'::jsonb,
     version integer not null default 1,
     days_active integer not null default 0,
     last_active_at timestamptz,
     deactivated_at timestamptz,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     unique (org_id, user_id)
   )`,
  `create index memberships_user on memberships (user_id)`,
  `create unique index memberships_external_id on memberships (org_id, external_id) where external_id is not null`,
  `create index memberships_admins on memberships (org_id) where org_role = 'admin' and status = 'active'`,
  `create index memberships_org_created on memberships (org_id, created_at, id)`,

  `create table activity_days (
     org_id uuid not null references organizations(id) on delete cascade,
     user_id uuid not null references users(id) on delete cascade,
     day date not null,
     primary key (org_id, day, user_id)
   )`,

  `create table teams (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     name text not null,
     name_key text generated always as (lower(normalize(name, NFKC))) stored,
     storage_type text not null default 'default',
     privacy text not null default 'private' check (privacy in ('private','team','public')),
     members_can_invite boolean not null default false,
     domain_matching boolean not null default false,
     external_id text,
     version integer not null default 1,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create unique index teams_name on teams (org_id, name_key)`,
  `create unique index teams_external_id on teams (org_id, external_id) where external_id is not null`,
  `alter table organizations add constraint organizations_default_team
     foreign key (default_team_id) references teams(id) on delete set null`,
  `alter table organizations add constraint organizations_billing_admin
     foreign key (billing_admin_user_id) references users(id) on delete set null`,

  `create table team_members (
     team_id uuid not null references teams(id) on delete cascade,
     user_id uuid not null references users(id) on delete cascade,
     role text not null check (role in ('admin','member','view-only')),
     custom_role_id uuid references custom_roles(id) on delete set null,
     created_at timestamptz not null default now(),
     primary key (team_id, user_id)
   )`,
  `create index team_members_user on team_members (user_id)`,

  `create table service_accounts (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     team_id uuid references teams(id) on delete cascade,
     name text not null,
     created_at timestamptz not null default now(),
     deleted_at timestamptz
   )`,

  // API keys for people and service accounts; only a SHA-256 of the secret is kept.
  `create table api_keys (
     id uuid primary key,
     org_id uuid references organizations(id) on delete cascade,
     user_id uuid references users(id) on delete cascade,
     service_account_id uuid references service_accounts(id) on delete cascade,
     kind text not null default 'user' check (kind in ('user','service','admin')),
     label text not null default '',
     token_hash text not null unique,
     created_by uuid references users(id) on delete set null,
     created_at timestamptz not null default now(),
     last_used_at timestamptz,
     revoked_at timestamptz,
     check ((user_id is not null) or (service_account_id is not null) or kind = 'admin')
   )`,

  `create table invitations (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     user_id uuid not null references users(id) on delete cascade,
     org_role text not null check (org_role in ('admin','member','viewer')),
     team_ids jsonb not null default '[]'::jsonb,
     token_hash text not null unique,
     invited_by uuid references users(id) on delete set null,
     created_at timestamptz not null default now(),
     expires_at timestamptz not null,
     accepted_at timestamptz,
     revoked_at timestamptz
   )`,
  `create index invitations_org_user on invitations (org_id, user_id)`,

  // External identities: (provider, external id) → person. provider is e.g.
  // 'oidc:https://issuer', 'ldap:<url>', or 'scim:<org id>'.
  `create table external_identities (
     provider text not null,
     external_id text not null,
     user_id uuid not null references users(id) on delete cascade,
     created_at timestamptz not null default now(),
     last_seen_at timestamptz,
     primary key (provider, external_id)
   )`,
  `create index external_identities_user on external_identities (user_id)`,

  `create table scim_tokens (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     label text not null default '',
     token_hash text not null unique,
     created_at timestamptz not null default now(),
     last_used_at timestamptz,
     revoked_at timestamptz
   )`,

  // Role groups: an IdP group (SCIM group displayName or SSO groups-claim value) that
  // grants an organization role, or a team role, instead of plain membership.
  `create table role_groups (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     group_name text not null,
     org_role text check (org_role in ('admin','member','viewer')),
     team_id uuid references teams(id) on delete cascade,
     team_role text check (team_role in ('admin','member','view-only')),
     created_at timestamptz not null default now(),
     check ((org_role is not null) <> (team_id is not null)),
     check ((team_id is null) = (team_role is null))
   )`,
  `create unique index role_groups_name on role_groups (org_id, lower(group_name), coalesce(team_id::text, ''))`,

  `create table audit_log (
     id bigserial primary key,
     at timestamptz not null default now(),
     org_id uuid,
     actor_type text not null,
     actor_id text,
     actor_label text,
     action text not null,
     target_type text,
     target_id text,
     before jsonb,
     after jsonb,
     outcome text not null check (outcome in ('ok','refused')),
     reason text
   )`,
  `create index audit_log_org_at on audit_log (org_id, at desc, id desc)`,
  `create index audit_log_target on audit_log (target_type, target_id)`,

  `create table sessions (
     sid text primary key,
     user_id uuid references users(id) on delete cascade,
     data jsonb not null,
     expires_at timestamptz not null,
     created_at timestamptz not null default now()
   )`,
  `create index sessions_user on sessions (user_id)`,
  `create index sessions_expires on sessions (expires_at)`,

  // Single-use sign-in links (break-glass, invitations); hashed like every secret.
  `create table login_links (
     id uuid primary key,
     token_hash text not null unique,
     user_id uuid not null references users(id) on delete cascade,
     org_id uuid references organizations(id) on delete cascade,
     purpose text not null,
     created_at timestamptz not null default now(),
     expires_at timestamptz not null,
     used_at timestamptz
   )`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
