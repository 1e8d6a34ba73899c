import type { Conn } from '../db/connect.ts';
import { sql } from '../db/sql.ts';

// The body of a delivery, Standard Webhooks' suggested shape `{type, timestamp, data}`,
// built from the event and its audit row at send time (the outbox row stays small).
// `data.id` (also `webhook-id` as `msg_<id>`) is the same on every attempt: receivers
// deduplicate on it, since delivery is at least once.

export interface EventPayload {
  type: string;
  timestamp: string;
  data: {
    id: string;
    organizationId: string | null;
    subject: { type: string | null; id: string | null };
    actor: { type: string; id: string | null; label: string | null };
    before: unknown;
    after: unknown;
    reason: string | null;
  };
}

interface Row {
  id: number;
  type: string;
  at: Date;
  org_id: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  target_type: string | null;
  target_id: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

export const messageId = (eventId: number | string) => `msg_${eventId}`;

export async function loadPayloads(conn: Conn, eventIds: readonly number[]): Promise<Map<number, EventPayload>> {
  const out = new Map<number, EventPayload>();
  if (!eventIds.length) return out;
  const rows = await sql<Row>(
    conn,
    `select e.id, e.type, e.at, e.org_id, a.actor_type, a.actor_id, a.actor_label, a.target_type, a.target_id, a.before, a.after, a.reason
       from events e join audit_log a on a.id = e.audit_id where e.id = any(string_to_array($1, ',')::bigint[])`,
    [eventIds.join(',')],
  );
  for (const r of rows) {
    const id = Number(r.id);
    out.set(id, {
      type: r.type,
      timestamp: new Date(r.at).toISOString(),
      data: {
        id: messageId(id),
        organizationId: r.org_id,
        subject: { type: r.target_type, id: r.target_id },
        actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
        before: r.before ?? null,
        after: r.after ?? null,
        reason: r.reason,
      },
    });
  }
  return out;
}
