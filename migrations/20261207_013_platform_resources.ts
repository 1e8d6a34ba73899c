import type { Knex } from 'knex';

// Issue 15: what the platform asks about. Platform credentials (the decision API's door),
// the resources the directory governs (projects, registries, their roles), and service
// account keys in their own table (expiring; the admin API keys live in api_keys).
const statements = [
  // Created by an operator with the CLI; only a SHA-256 of the secret is kept. org_id null:
  // the credential speaks for the whole deployment (a platform serving every organization).
  `create table platform_credentials (
     id uuid primary key,
     org_id uuid references organizations(id) on delete cascade,
     label text not null default '',
     token_hash text not null unique,
     created_at timestamptz not null default now(),
     last_used_at timestamptz,
     revoked_at timestamptz
   )`,

  // Visibility as the seed's "Project visibility" page names the scopes.
  `create table projects (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     team_id uuid not null references teams(id) on delete cascade,
     name text not null,
     name_key text generated always as (lower(normalize(name, NFKC))) stored,
     owner_account_id uuid references accounts(id) on delete set null,
     visibility text not null default 'team' check (visibility in ('open','public','team','restricted')),
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create unique index projects_name on projects (team_id, name_key)`,
  `create index projects_org on projects (org_id)`,
  // Project-level roles for named members (member records) of a restricted project.
  `create table project_roles (
     project_id uuid not null references projects(id) on delete cascade,
     user_id uuid not null references users(id) on delete cascade,
     role text not null check (role in ('admin','member','view-only')),
     primary key (project_id, user_id)
   )`,
  `create index project_roles_user on project_roles (user_id)`,

  `create table registries (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     name text not null,
     name_key text generated always as (lower(normalize(name, NFKC))) stored,
     visibility text not null default 'organization' check (visibility in ('organization','restricted')),
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create unique index registries_name on registries (org_id, name_key)`,
  // A registry role is held by a person (member record) or by every member of a team.
  `create table registry_roles (
     registry_id uuid not null references registries(id) on delete cascade,
     user_id uuid references users(id) on delete cascade,
     team_id uuid references teams(id) on delete cascade,
     role text not null check (role in ('admin','member','viewer')),
     check ((user_id is null) <> (team_id is null))
   )`,
  `create unique index registry_roles_user on registry_roles (registry_id, user_id) where user_id is not null`,
  `create unique index registry_roles_team on registry_roles (registry_id, team_id) where team_id is not null`,
  `create index registry_roles_by_user on registry_roles (user_id) where user_id is not null`,

  `create table service_account_keys (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     service_account_id uuid not null references service_accounts(id) on delete cascade,
     label text not null default '',
     token_hash text not null unique,
     created_by uuid references accounts(id) on delete set null,
     created_at timestamptz not null default now(),
     expires_at timestamptz,
     last_used_at timestamptz,
     revoked_at timestamptz
   )`,
  `create index service_account_keys_account on service_account_keys (service_account_id)`,
  `create index service_accounts_org on service_accounts (org_id)`,
  // Keys made for service accounts before this migration move to their own table.
  `insert into service_account_keys (id, org_id, service_account_id, label, token_hash, created_at, last_used_at, revoked_at)
     select k.id, s.org_id, k.service_account_id, k.label, k.token_hash, k.created_at, k.last_used_at, k.revoked_at
       from api_keys k join service_accounts s on s.id = k.service_account_id
      where k.kind = 'service'`,
  `delete from api_keys where kind = 'service'`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
