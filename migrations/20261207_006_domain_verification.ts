import type { Knex } from 'knex';

// Claimed domains are verified before they capture anyone (SPEC §1 "Claimed domain").
//
// A claim starts `pending` with a random challenge token; it becomes `verified` when the
// TXT record `_orgbridge-challenge.<domain>` carries `orgbridge-verification=<token>`
// ('dns'), or when an operator approves it with the CLI ('operator'). A pending claim
// lapses at `expires_at` (maintenance deletes it); `last_checked_at` is when its record
// was last looked up.
//
// Several organizations may hold a *pending* claim on the same domain, each with its own
// token: if a pending claim blocked everyone else, anyone could squat a competitor's
// domain by claiming it and never verifying. Only one claim per domain can be *verified*
// (the partial unique index); the first to verify wins and the others' pending claims
// are removed in the same transaction (src/domain/domain-verification.ts). So the key is
// now (domain, org_id) instead of domain alone.
//
// Existing claims become `verified` by 'operator', dated from their claim: before this
// migration a claim captured sign-ins at once, and running deployments must keep
// capturing the people they already capture. Their tokens are fresh random values
// (gen_random_uuid() is strong randomness and built in since PostgreSQL 13), never shown
// since the claims are already verified.
const statements = [
  `alter table org_domains
     add column status text,
     add column challenge_token text,
     add column verified_at timestamptz,
     add column verified_by text,
     add column expires_at timestamptz,
     add column last_checked_at timestamptz`,
  `update org_domains
      set status = 'verified',
          verified_by = 'operator',
          verified_at = created_at,
          challenge_token = replace(gen_random_uuid()::text, '-', '')`,
  `alter table org_domains
     alter column status set default 'pending',
     alter column status set not null,
     alter column challenge_token set not null`,
  `alter table org_domains
     add constraint org_domains_status check (status in ('pending', 'verified')),
     add constraint org_domains_verified_by check (verified_by in ('dns', 'operator')),
     add constraint org_domains_state check (
       (status = 'verified' and verified_at is not null and verified_by is not null and expires_at is null)
       or (status = 'pending' and verified_at is null and verified_by is null and expires_at is not null))`,
  `alter table org_domains drop constraint org_domains_pkey`,
  `alter table org_domains add primary key (domain, org_id)`,
  // A domain belongs to at most one organization: the one that verified it.
  `create unique index org_domains_verified on org_domains (domain) where status = 'verified'`,
  // Maintenance: pending claims by expiry (and next to check).
  `create index org_domains_pending on org_domains (expires_at) where status = 'pending'`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
