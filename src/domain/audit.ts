import type { Conn } from '../db/connect.ts';
import { sql } from '../db/sql.ts';
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
}

// Every mutation writes one: a fixed statement run by db/sql.ts (why: BENCHMARKS.md).
// bench/floor.ts replays it.
export const INSERT_AUDIT_ROW = `insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, outcome, reason)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

export async function writeAuditRow(conn: Conn, actor: Actor, e: AuditEntry): Promise<void> {
  await sql(conn, INSERT_AUDIT_ROW, [
    e.orgId ?? null,
    actor.type,
    actor.id ?? null,
    actor.label,
    e.action,
    e.targetType,
    e.targetId ?? null,
    e.before === undefined ? null : JSON.stringify(e.before),
    e.after === undefined ? null : JSON.stringify(e.after),
    e.outcome ?? 'ok',
    e.reason ?? null,
  ]);
}

/** Records a successful mutation inside the mutation's own transaction. */
export function audit(tx: Tx, e: AuditEntry): Promise<void> {
  return writeAuditRow(tx.trx, tx.actor, e);
}
