import type { Knex } from 'knex';

// Fair delivery across organizations (src/events/deliver.ts): each claim looks, per
// organization, for its earliest due deliveries endpoint by endpoint (in event order), and
// counts what the organization already has in flight (leased: claimed, not yet recorded).
// Both are index lookups with these, however long the backlog.
const statements = [
  `create index webhook_deliveries_pending_endpoint on webhook_deliveries (endpoint_id, event_id) where status = 'pending'`,
  `create index webhook_deliveries_leased on webhook_deliveries (endpoint_id, lease_until) where status = 'pending' and lease_until is not null`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
