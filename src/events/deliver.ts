import type { WebhooksConfig } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import { sql } from '../db/sql.ts';
import { webhookDeliveries, webhookLatency } from '../lib/metrics.ts';
import { signingSecrets } from './endpoints.ts';
import { loadPayloads, messageId } from './payload.ts';
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

export interface DeliveryRow {
  id: number;
  endpoint_id: string;
  event_id: number;
  attempts: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

const CLAIM = `update webhook_deliveries d
     set lease_until = now() + $2 * interval '1 millisecond', attempts = d.attempts + 1
    from webhook_endpoints e
   where e.id = d.endpoint_id and d.id in (
     select c.id from webhook_deliveries c join webhook_endpoints ce on ce.id = c.endpoint_id and ce.enabled
      where c.status = 'pending' and c.next_attempt_at <= now() and (c.lease_until is null or c.lease_until < now())
        and not exists (
          select 1 from webhook_deliveries p
           where p.endpoint_id = c.endpoint_id and p.order_key = c.order_key and p.status = 'pending' and p.event_id < c.event_id)
      order by c.event_id
      limit $1
      for update of c skip locked)
  returning d.id, d.endpoint_id, d.event_id, d.attempts, e.url, e.secret, e.previous_secret, e.previous_secret_expires_at`;

const RECORD_ATTEMPT = `insert into webhook_attempts (delivery_id, attempt, outcome, status_code, latency_ms, error) values ($1, $2, $3, $4, $5, $6)`;

const DELIVERED = `update webhook_deliveries set status = 'delivered', delivered_at = now(), lease_until = null,
     last_status_code = $2, last_latency_ms = $3, last_error = null where id = $1 and status = 'pending'`;
const RETRY = `update webhook_deliveries set next_attempt_at = now() + $2 * interval '1 millisecond', lease_until = null,
     last_status_code = $3, last_latency_ms = $4, last_error = $5 where id = $1 and status = 'pending'`;
const DEAD = `update webhook_deliveries set status = 'dead', lease_until = null,
     last_status_code = $2, last_latency_ms = $3, last_error = $4 where id = $1 and status = 'pending'`;

export type DeliveryPolicy = Pick<WebhooksConfig, 'batchSize' | 'maxAttempts' | 'backoffBaseMs' | 'backoffMaxMs' | 'timeoutMs' | 'allowHttpHosts' | 'allowPrivateHosts'>;

/** Wait before retry n (n ≥ 1): base · 2^(n-1), capped. */
export function backoffMs(attempt: number, p: Pick<DeliveryPolicy, 'backoffBaseMs' | 'backoffMaxMs'>): number {
  return Math.min(p.backoffMaxMs, p.backoffBaseMs * 2 ** Math.min(attempt - 1, 30));
}

/** The lease covers the send's timeout, with a margin for the database round trips. */
export const leaseMs = (p: Pick<DeliveryPolicy, 'timeoutMs'>) => p.timeoutMs + 5000;

export async function claimDeliveries(db: Db, p: DeliveryPolicy): Promise<DeliveryRow[]> {
  return sql<DeliveryRow>(db, CLAIM, [p.batchSize, leaseMs(p)]);
}

async function record(db: Db, d: DeliveryRow, r: SendResult, p: DeliveryPolicy): Promise<'delivered' | 'failed' | 'dead'> {
  const ok = r.status !== null && r.status >= 200 && r.status < 300;
  const error = ok ? null : (r.error ?? `HTTP ${r.status}`);
  const outcome = ok ? 'delivered' : d.attempts >= p.maxAttempts ? 'dead' : 'failed';
  await db.transaction(async (trx) => {
    await sql(trx, RECORD_ATTEMPT, [d.id, d.attempts, outcome, r.status, r.latencyMs, error]);
    if (outcome === 'delivered') await sql(trx, DELIVERED, [d.id, r.status, r.latencyMs]);
    else if (outcome === 'dead') await sql(trx, DEAD, [d.id, r.status, r.latencyMs, error]);
    else await sql(trx, RETRY, [d.id, backoffMs(d.attempts, p), r.status, r.latencyMs, error]);
  });
  webhookDeliveries.inc({ outcome: r.refused ? 'refused' : outcome });
  webhookLatency.observe(r.latencyMs / 1000);
  return outcome;
}

/** Claims one batch and sends it (concurrently: one per subject at most); returns how many went. */
export async function deliverBatch(db: Db, p: DeliveryPolicy, now: () => Date = () => new Date()): Promise<number> {
  const claimed = await claimDeliveries(db, p);
  if (!claimed.length) return 0;
  const payloads = await loadPayloads(db, [...new Set(claimed.map((d) => Number(d.event_id)))]);
  await Promise.all(
    claimed.map(async (d) => {
      const payload = payloads.get(Number(d.event_id));
      const body = JSON.stringify(payload ?? null);
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
    }),
  );
  return claimed.length;
}
