import type { Knex } from 'knex';

// Directory change events and webhooks (issue 16).
//  - events: the transactional outbox. Each row is written by the same statement as its
//    audit row (src/domain/audit.ts), so a change and its event commit or roll back
//    together. `fanned_out_at` is set once deliveries were created for it.
//  - webhook_endpoints: an organization's receivers, with the event types they take.
//    The signing secret must be usable (HMAC), so it is kept, not hashed; the previous
//    one stays valid until `previous_secret_expires_at` (rotation, Standard Webhooks).
//  - webhook_deliveries: one per (endpoint, event); `order_key` is the event's subject
//    (a member, a team): a delivery leaves only when no earlier one for the same subject
//    and endpoint is still pending, which keeps deliveries in order per member.
//    `lease_until`: a worker that claimed it is sending it; a worker killed mid-send
//    leaves the lease to expire and the delivery goes again (at least once).
//  - webhook_attempts: the delivery log, one row per attempt.
const statements = [
  `create table events (
     id bigserial primary key,
     at timestamptz not null default now(),
     org_id uuid,
     type text not null,
     audit_id bigint not null,
     subject text,
     fanned_out_at timestamptz
   )`,
  `create index events_unfanned on events (id) where fanned_out_at is null`,

  `create table webhook_endpoints (
     id uuid primary key,
     org_id uuid not null references organizations(id) on delete cascade,
     url text not null,
     description text,
     event_types jsonb not null,
     secret text not null,
     previous_secret text,
     previous_secret_expires_at timestamptz,
     enabled boolean not null default true,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index webhook_endpoints_org on webhook_endpoints (org_id)`,

  `create table webhook_deliveries (
     id bigserial primary key,
     endpoint_id uuid not null references webhook_endpoints(id) on delete cascade,
     event_id bigint not null references events(id) on delete cascade,
     order_key text not null,
     status text not null check (status in ('pending','delivered','dead')),
     attempts int not null default 0,
     next_attempt_at timestamptz not null default now(),
     lease_until timestamptz,
     last_status_code int,
     last_latency_ms int,
     last_error text,
     created_at timestamptz not null default now(),
     delivered_at timestamptz,
     unique (endpoint_id, event_id)
   )`,
  `create index webhook_deliveries_due on webhook_deliveries (next_attempt_at, id) where status = 'pending'`,
  `create index webhook_deliveries_order on webhook_deliveries (endpoint_id, order_key, event_id) where status = 'pending'`,
  `create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, id desc)`,

  `create table webhook_attempts (
     id bigserial primary key,
     delivery_id bigint not null references webhook_deliveries(id) on delete cascade,
     attempt int not null,
     at timestamptz not null default now(),
     outcome text not null check (outcome in ('delivered','failed','dead')),
     status_code int,
     latency_ms int,
     error text
   )`,
  `create index webhook_attempts_delivery on webhook_attempts (delivery_id, id)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
