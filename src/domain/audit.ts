import type { Conn } from '../db/connect.ts';
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

export async function writeAuditRow(conn: Conn, actor: Actor, e: AuditEntry): Promise<void> {
  await conn('audit_log').insert({
    org_id: e.orgId,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_label: actor.label,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
    outcome: e.outcome ?? 'ok',
    reason: e.reason ?? null,
  });
}

/** Records a successful mutation inside the mutation's own transaction. */
export function audit(tx: Tx, e: AuditEntry): Promise<void> {
  return writeAuditRow(tx.trx, tx.actor, e);
}
