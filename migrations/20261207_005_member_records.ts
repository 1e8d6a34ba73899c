import type { Knex } from 'knex';

// Accounts and member records (SPEC §1, issue 11). Until now one global `users` row was
// the person *and* every organization's SCIM User: a second organization's IdP that
// POSTed the same userName or email adopted that row and could rewrite it. From here on:
//
//  - `accounts`: who signs in. Global; holds sessions, external identities, sign-in links
//    and the system-admin flag. Its profile changes only through the person's own
//    sign-ins or the organization that manages the account (verified domain).
//  - `users`: the member records — what SCIM calls a User — each belonging to exactly one
//    organization (`org_id`), read and written by that organization alone. userName is
//    unique within the organization; emails are not unique at all (RFC 7643 §4.1.2 makes
//    only userName unique). `account_id` is the link, made only by proof (sign-in with a
//    matching verified email, an accepted invitation, or a managed domain).
//  - `memberships` stays one row per record (its grants, status and the counts the SCIM
//    list relies on); team places, activity, API keys and invitations stay on the record.
//
// Existing data: a person with memberships in N organizations becomes N records, each a
// copy of the person's profile with that organization's team places, activity, keys and
// invitations. An account is made for every person who has ever signed in or can act
// (an external identity, a session, a sign-in link, an API key, or system admin), with
// the person's id, so that sessions, identities and audit rows keep pointing at them; the
// person's records are linked to it. People with no membership keep only their account.
const statements = [
  `create table accounts (
     id uuid primary key,
     email text,
     email_key text generated always as (lower(normalize(email, NFKC))) stored,
     display_name text,
     given_name text,
     family_name text,
     system_admin boolean not null default false,
     last_sign_in_at timestamptz,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  // One account per verified address: sign-in finds "the account that holds this email".
  `create unique index accounts_email_key on accounts (email_key) where email_key is not null`,
  `create index accounts_system_admin on accounts (id) where system_admin`,

  `insert into accounts (id, email, display_name, given_name, family_name, system_admin, created_at, updated_at)
   select u.id, u.email, u.display_name, u.given_name, u.family_name, u.system_admin, u.created_at, u.updated_at
     from users u
    where u.system_admin
       or exists (select 1 from external_identities x where x.user_id = u.id)
       or exists (select 1 from sessions s where s.user_id = u.id)
       or exists (select 1 from login_links l where l.user_id = u.id)
       or exists (select 1 from api_keys k where k.user_id = u.id)`,

  // Sessions, identities and sign-in links belong to the account now (same ids).
  `alter table external_identities drop constraint external_identities_user_id_fkey`,
  `alter table external_identities rename column user_id to account_id`,
  `alter table external_identities add constraint external_identities_account_id_fkey foreign key (account_id) references accounts(id) on delete cascade`,
  `alter index external_identities_user rename to external_identities_account`,
  `delete from sessions s where s.user_id is not null and not exists (select 1 from accounts a where a.id = s.user_id)`,
  `alter table sessions drop constraint sessions_user_id_fkey`,
  `alter table sessions rename column user_id to account_id`,
  `alter table sessions add constraint sessions_account_id_fkey foreign key (account_id) references accounts(id) on delete cascade`,
  `alter index sessions_user rename to sessions_account`,
  `alter table login_links drop constraint login_links_user_id_fkey`,
  `alter table login_links rename column user_id to account_id`,
  `alter table login_links add constraint login_links_account_id_fkey foreign key (account_id) references accounts(id) on delete cascade`,

  // Who created a key or sent an invitation is an account (the actor of a signed-in request).
  `update api_keys k set created_by = null where created_by is not null and not exists (select 1 from accounts a where a.id = k.created_by)`,
  `alter table api_keys drop constraint api_keys_created_by_fkey`,
  `alter table api_keys add constraint api_keys_created_by_fkey foreign key (created_by) references accounts(id) on delete set null`,
  `update invitations i set invited_by = null where invited_by is not null and not exists (select 1 from accounts a where a.id = i.invited_by)`,
  `alter table invitations drop constraint invitations_invited_by_fkey`,
  `alter table invitations add constraint invitations_invited_by_fkey foreign key (invited_by) references accounts(id) on delete set null`,

  // Records: one organization each, and the link.
  `alter table users add column org_id uuid references organizations(id) on delete cascade`,
  `alter table users add column account_id uuid references accounts(id) on delete set null`,
  `alter table users add column linked_at timestamptz`,
  `alter table users add column linked_by text check (linked_by in ('sign_in','invitation','managed_domain','operator','migration'))`,
  `drop index users_user_name_key`,
  `drop index users_email_key`,

  // The split: the first membership (oldest) keeps the person's row, every other one gets a copy.
  `create table member_record_split as
   select m.user_id as old_id, m.org_id,
          case when row_number() over (partition by m.user_id order by m.created_at, m.id) = 1 then m.user_id else gen_random_uuid() end as new_id
     from memberships m`,
  `insert into users (id, org_id, user_name, email, display_name, given_name, family_name, middle_name, honorific_prefix,
                      honorific_suffix, nick_name, title, locale, timezone, preferred_language, profile, created_at, updated_at)
   select s.new_id, s.org_id, u.user_name, u.email, u.display_name, u.given_name, u.family_name, u.middle_name, u.honorific_prefix,
          u.honorific_suffix, u.nick_name, u.title, u.locale, u.timezone, u.preferred_language, u.profile, u.created_at, u.updated_at
     from member_record_split s join users u on u.id = s.old_id
    where s.new_id <> s.old_id`,
  `insert into user_emails (user_id, value, type, "primary", position)
   select s.new_id, e.value, e.type, e."primary", e.position
     from member_record_split s join user_emails e on e.user_id = s.old_id
    where s.new_id <> s.old_id`,
  `update memberships m set user_id = s.new_id from member_record_split s
    where m.user_id = s.old_id and m.org_id = s.org_id and s.new_id <> s.old_id`,
  `update team_members tm set user_id = s.new_id from member_record_split s, teams t
    where t.id = tm.team_id and tm.user_id = s.old_id and t.org_id = s.org_id and s.new_id <> s.old_id`,
  `update activity_days d set user_id = s.new_id from member_record_split s
    where d.user_id = s.old_id and d.org_id = s.org_id and s.new_id <> s.old_id`,
  `update api_keys k set user_id = s.new_id from member_record_split s
    where k.user_id = s.old_id and k.org_id = s.org_id and s.new_id <> s.old_id`,
  `update invitations i set user_id = s.new_id from member_record_split s
    where i.user_id = s.old_id and i.org_id = s.org_id and s.new_id <> s.old_id`,
  `update organizations o set billing_admin_user_id = s.new_id from member_record_split s
    where o.billing_admin_user_id = s.old_id and o.id = s.org_id and s.new_id <> s.old_id`,
  `update users u set org_id = s.org_id from member_record_split s where u.id = s.new_id and s.new_id = s.old_id`,
  `update users u set account_id = s.old_id, linked_at = now(), linked_by = 'migration'
     from member_record_split s
    where u.id = s.new_id and exists (select 1 from accounts a where a.id = s.old_id)`,
  // A person in no organization has no record; their account (if any) stays.
  `delete from users where org_id is null`,
  `drop table member_record_split`,

  `alter table users alter column org_id set not null`,
  `alter table users drop column system_admin`,
  `create unique index users_org_user_name_key on users (org_id, user_name_key)`,
  `create index users_email_key_lookup on users (email_key)`,
  // An account has at most one record in an organization (the principal there is that record).
  `create unique index users_org_account on users (org_id, account_id) where account_id is not null`,
  `create index users_account on users (account_id) where account_id is not null`,
  `create or replace function users_org_id_immutable() returns trigger language plpgsql as $$
   begin
     raise exception 'a member record cannot move to another organization' using errcode = '23514';
   end $$`,
  `create trigger users_org_id_fixed before update of org_id on users
     for each row when (old.org_id is distinct from new.org_id) execute function users_org_id_immutable()`,

  // What the inviter typed: the invitation's answer shows this and nothing of any account.
  // A revoked or expired invitation's pending record is deleted; the invitation stays on record.
  `alter table invitations alter column user_id drop not null`,
  `alter table invitations drop constraint invitations_user_id_fkey`,
  `alter table invitations add constraint invitations_user_id_fkey foreign key (user_id) references users(id) on delete set null`,
  `alter table invitations add column invitee text`,
  `update invitations i set invitee = coalesce(u.email, u.user_name) from users u where u.id = i.user_id`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
