import type { Conn } from '../db/connect.ts';
import { sql } from '../db/sql.ts';
import { eventTypeOf } from '../events/types.ts';
import { refusals } from '../lib/metrics.ts';
import type { Actor, Tx } from './context.ts';

export interface AuditEntry {
  orgId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
  outcome?: 'ok' | 'refused';
  reason?: string | null;
  /** A refusal's rule (DomainError code: last_admin, seat_limit, …). */
  rule?: string | null;
}

// Every mutation writes one: a fixed statement run by db/sql.ts (why: BENCHMARKS.md).
// bench/floor.ts replays it.
export const INSERT_AUDIT_ROW = `insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, outcome, reason)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

// A directory change writes its event (the transactional outbox, issue 16) in the same
// statement as its audit row: one round trip, and the two can only commit together. A
// refusal is written after its transaction rolled back (context.ts), on its own; being one
// statement, its audit row and its event still stand or fall together.
export const INSERT_AUDIT_ROW_AND_EVENT = `with a as (${INSERT_AUDIT_ROW} returning id)
  insert into events (org_id, type, audit_id, subject) select $1, $12, a.id, $13 from a`;

export async function writeAuditRow(conn: Conn, actor: Actor, e: AuditEntry): Promise<void> {
  const outcome = e.outcome ?? 'ok';
  const values: unknown[] = [
    e.orgId ?? null,
    actor.type,
    actor.id ?? null,
    actor.label,
    e.action,
    e.targetType,
    e.targetId ?? null,
    e.before === undefined ? null : JSON.stringify(e.before),
    e.after === undefined ? null : JSON.stringify(e.after),
    outcome,
    e.reason ?? null,
  ];
  const event = eventTypeOf(e.action, outcome, e.rule);
  if (event) values.push(event, `${e.targetType}:${e.targetId ?? ''}`);
  await sql(conn, event ? INSERT_AUDIT_ROW_AND_EVENT : INSERT_AUDIT_ROW, values);
  if (outcome === 'refused') refusals.inc({ rule: e.rule ?? 'other' });
}

/** Records a successful mutation inside the mutation's own transaction. */
export function audit(tx: Tx, e: AuditEntry): Promise<void> {
  return writeAuditRow(tx.trx, tx.actor, e);
}
