
// The body of a delivery, Standard Webhooks' suggested shape `{type, timestamp, data}`,
// built from the event and its audit row at send time (the outbox row stays small),
// read by the same statement that claims the delivery (deliver.ts).
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

/** The event and audit columns a payload is built from (as claimDeliveries returns them). */
export interface PayloadSource {
  event_id: number | string;
  event_type: string;
  event_at: Date;
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

export function payloadOf(r: PayloadSource): EventPayload {
  return {
    type: r.event_type,
    timestamp: new Date(r.event_at).toISOString(),
    data: {
      id: messageId(r.event_id),
      organizationId: r.org_id,
      subject: { type: r.target_type, id: r.target_id },
      actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
      before: r.before ?? null,
      after: r.after ?? null,
      reason: r.reason,
    },
  };
}
