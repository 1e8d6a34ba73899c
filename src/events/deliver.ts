import type { WebhooksConfig } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import { preparedSql, sql } from '../db/sql.ts';
import { webhookDeliveries, webhookLatency } from '../lib/metrics.ts';
import { signingSecrets } from './endpoints.ts';
import { messageId, payloadOf, type PayloadSource } from './payload.ts';
import { send, type SendResult } from './send.ts';
import { signatureHeader } from './signature.ts';

// Delivering: claim due deliveries, send them, record each attempt.
//
// Claiming is one statement: `FOR UPDATE SKIP LOCKED` lets several instances claim at once
// without taking the same row, and the claim sets a lease (the send's timeout plus a
// margin) instead of holding a transaction open across the HTTP call. A worker killed
// mid-send leaves the lease to expire; the delivery then goes again (at least once; the
// receiver deduplicates on webhook-id).
//
// Order per subject (a member, a team): a delivery is claimed only when no earlier event's
// delivery to the same endpoint for the same subject is still pending — in flight, or
// waiting for its retry. A dead-lettered one no longer holds the others back.

export interface DeliveryRow extends PayloadSource {
  id: number;
  endpoint_id: string;
  attempts: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

// Fair across organizations: the worker is shared by every tenant, so each organization
// may have at most $3 deliveries in flight (leased) at once, counting those already out.
// For each organization with room, each of its enabled endpoints offers its earliest due
// deliveries (an index scan in event order that stops at the room: the partial index of
// migration 014); the organization keeps its earliest `room` of those; the earliest of all,
// up to $1, win. Only the winners are locked (SKIP LOCKED: another instance claiming at the
// same moment takes none of them) and checked again under the lock. The share is read from
// the statement's snapshot: instances claiming at the very same moment may each give an
// organization its room.
const CLAIM = `update webhook_deliveries d
     set lease_until = now() + $2 * interval '1 millisecond', attempts = d.attempts + 1
    from webhook_endpoints e, events ev, audit_log a
   where e.id = d.endpoint_id and ev.id = d.event_id and a.id = ev.audit_id and d.id in (
     with orgs as (
       select o.org_id, $3 - (
           select count(*) from webhook_deliveries l join webhook_endpoints le on le.id = l.endpoint_id
            where le.org_id = o.org_id and l.status = 'pending' and l.lease_until is not null and l.lease_until >= now()) as room
         from (select distinct org_id from webhook_endpoints where enabled) o
     ), offered as (
       select c.id, c.event_id, o.org_id, o.room
         from orgs o
         join webhook_endpoints ce on ce.org_id = o.org_id and ce.enabled
         cross join lateral (
           select c.id, c.event_id from webhook_deliveries c
            where c.endpoint_id = ce.id and c.status = 'pending' and c.next_attempt_at <= now() and (c.lease_until is null or c.lease_until < now())
              and not exists (
                select 1 from webhook_deliveries p
                 where p.endpoint_id = c.endpoint_id and p.order_key = c.order_key and p.status = 'pending' and p.event_id < c.event_id)
            order by c.event_id
            limit o.room
         ) c
        where o.room > 0
     ), ranked as (
       select id, event_id, room, row_number() over (partition by org_id order by event_id) as n from offered
     ), winners as (
       select id from ranked where n <= room order by event_id limit $1
     )
     select w.id from webhook_deliveries w
      where w.id in (select id from winners)
        and w.status = 'pending' and w.next_attempt_at <= now() and (w.lease_until is null or w.lease_until < now())
      for update of w skip locked)
  returning d.id, d.endpoint_id, d.event_id, d.attempts, e.url, e.secret, e.previous_secret, e.previous_secret_expires_at,
    ev.type as event_type, ev.at as event_at, ev.org_id, a.actor_type, a.actor_id, a.actor_label, a.target_type, a.target_id, a.before, a.after, a.reason`;

// An attempt's outcome and the delivery's new state in one statement (atomic by itself:
// no BEGIN/COMMIT round trips). $6 is the outcome; $7 the wait before the next try.
const RECORD = `with d as (
    update webhook_deliveries set
      status = case $6::text when 'failed' then 'pending' else $6::text end,
      delivered_at = case $6::text when 'delivered' then now() else null end,
      next_attempt_at = case $6::text when 'failed' then now() + $7 * interval '1 millisecond' else next_attempt_at end,
      lease_until = null, last_status_code = $3, last_latency_ms = $4, last_error = $5
    where id = $1 and status = 'pending'
    returning id)
  insert into webhook_attempts (delivery_id, attempt, outcome, status_code, latency_ms, error) values ($1, $2, $6, $3, $4, $5)`;

export type DeliveryPolicy = Pick<WebhooksConfig, 'batchSize' | 'maxInFlightPerOrg' | 'maxAttempts' | 'backoffBaseMs' | 'backoffMaxMs' | 'timeoutMs' | 'allowHttpHosts' | 'allowPrivateHosts'>;

/** Wait before retry n (n ≥ 1): base · 2^(n-1), capped. */
export function backoffMs(attempt: number, p: Pick<DeliveryPolicy, 'backoffBaseMs' | 'backoffMaxMs'>): number {
  return Math.min(p.backoffMaxMs, p.backoffBaseMs * 2 ** Math.min(attempt - 1, 30));
}

/** The lease covers the send's timeout, with a margin for the database round trips. */
export const leaseMs = (p: Pick<DeliveryPolicy, 'timeoutMs'>) => p.timeoutMs + 5000;

/** Claims up to `limit` due deliveries (the batch size unless said), each organization within its share. */
export async function claimDeliveries(db: Db, p: DeliveryPolicy, limit = p.batchSize): Promise<DeliveryRow[]> {
  if (limit <= 0) return [];
  return preparedSql<DeliveryRow>(db, 'orgbridge_claim_deliveries', CLAIM, [limit, leaseMs(p), p.maxInFlightPerOrg]);
}

async function record(db: Db, d: DeliveryRow, r: SendResult, p: DeliveryPolicy): Promise<'delivered' | 'failed' | 'dead'> {
  const ok = r.status !== null && r.status >= 200 && r.status < 300;
  const error = ok ? null : (r.error ?? `HTTP ${r.status}`);
  const outcome = ok ? 'delivered' : d.attempts >= p.maxAttempts ? 'dead' : 'failed';
  await sql(db, RECORD, [d.id, d.attempts, r.status, r.latencyMs, error, outcome, outcome === 'failed' ? backoffMs(d.attempts, p) : 0]);
  webhookDeliveries.inc({ outcome: r.refused ? 'refused' : outcome });
  webhookLatency.observe(r.latencyMs / 1000);
  return outcome;
}

/** Sends one claimed delivery and records the attempt. */
export async function deliverOne(db: Db, d: DeliveryRow, p: DeliveryPolicy, now: () => Date = () => new Date()): Promise<void> {
  const body = JSON.stringify(payloadOf(d));
  const at = now();
  const id = messageId(d.event_id);
  const timestamp = Math.floor(at.getTime() / 1000);
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(signingSecrets(d, at), id, timestamp, body),
  };
  const result = await send(d.url, headers, body, p, p.timeoutMs);
  await record(db, d, result, p);
}

/** Claims one batch and sends it (concurrently: one per subject at most), waiting for all; returns how many went. */
export async function deliverBatch(db: Db, p: DeliveryPolicy, now: () => Date = () => new Date()): Promise<number> {
  const claimed = await claimDeliveries(db, p);
  await Promise.all(claimed.map((d) => deliverOne(db, d, p, now)));
  return claimed.length;
}
