import type { Conn } from '../db/connect.ts';
import { audit } from '../domain/audit.ts';
import type { Tx } from '../domain/context.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { getEndpoint } from './endpoints.ts';
import { messageId } from './payload.ts';
import { iso } from '../lib/iso.ts';

// The delivery log an organization admin reads (status, attempts, latency, response code)
// and manual redelivery. Every read goes through the endpoint, itself scoped to the
// organization: a delivery id of another organization is "not found".

export interface DeliveryView {
  id: number;
  messageId: string;
  eventType: string;
  eventAt: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}


export async function listDeliveries(
  conn: Conn,
  endpointId: string,
  q: { status?: string | undefined; before?: number | undefined; limit: number },
): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  const rows = await conn('webhook_deliveries as d')
    .join('events as e', 'e.id', 'd.event_id')
    .where('d.endpoint_id', endpointId)
    .modify((b) => {
      if (q.status) b.where('d.status', q.status);
      if (q.before) b.where('d.id', '<', q.before);
    })
    .orderBy('d.id', 'desc')
    .limit(q.limit + 1)
    .select('d.*', 'e.type as event_type', 'e.at as event_at');
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      messageId: messageId(Number(r.event_id)),
      eventType: r.event_type as string,
      eventAt: iso(r.event_at as Date)!,
      status: r.status as string,
      attempts: Number(r.attempts),
      nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at as Date) : null,
      lastStatusCode: (r.last_status_code as number | null) ?? null,
      lastLatencyMs: (r.last_latency_ms as number | null) ?? null,
      lastError: (r.last_error as string | null) ?? null,
      deliveredAt: iso(r.delivered_at as Date | null),
    })),
    nextCursor: rows.length > q.limit && page.length ? String(page[page.length - 1]!.id) : null,
  };
}

export async function listAttempts(conn: Conn, endpointId: string, deliveryId: number) {
  const d = await conn('webhook_deliveries').where({ id: deliveryId, endpoint_id: endpointId }).first('id');
  if (!d) throw notFound('delivery', String(deliveryId));
  const rows = await conn('webhook_attempts').where({ delivery_id: deliveryId }).orderBy('id');
  return rows.map((r: Record<string, unknown>) => ({
    attempt: Number(r.attempt),
    at: iso(r.at as Date),
    outcome: r.outcome as string,
    statusCode: (r.status_code as number | null) ?? null,
    latencyMs: (r.latency_ms as number | null) ?? null,
    error: (r.error as string | null) ?? null,
  }));
}

/** Sends a delivered or dead-lettered delivery again, as a fresh series of attempts. */
export async function redeliver(tx: Tx, orgId: string, endpointId: string, deliveryId: number): Promise<void> {
  await getEndpoint(tx.trx, orgId, endpointId); // the organization's own endpoint, or 404
  // The event first (FOR SHARE): the retention prune locks events FOR UPDATE SKIP LOCKED and
  // deletes them with their deliveries, so a held event is one it skips — else it could
  // delete, on an older snapshot, the delivery this just set pending again (prune.ts).
  const ev = await tx.trx('events').whereIn('id', tx.trx('webhook_deliveries').where({ id: deliveryId, endpoint_id: endpointId }).select('event_id')).forShare().first('id');
  const d = ev ? await tx.trx('webhook_deliveries').where({ id: deliveryId, endpoint_id: endpointId }).forUpdate().first('id', 'status') : undefined;
  if (!d) throw notFound('delivery', String(deliveryId));
  if (d.status === 'pending') throw conflict('this delivery is still pending: it will be attempted again');
  await tx.trx('webhook_deliveries')
    .where({ id: deliveryId })
    .update({ status: 'pending', attempts: 0, next_attempt_at: tx.trx.fn.now(), lease_until: null, delivered_at: null });
  await audit(tx, { orgId, action: 'webhook.redeliver', targetType: 'webhook_endpoint', targetId: endpointId, after: { deliveryId, previousStatus: d.status } });
}
