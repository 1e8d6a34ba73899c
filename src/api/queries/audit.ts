import type { Conn } from '../../db/connect.ts';
import { iso } from '../views.ts';
import { containsPattern } from './users.ts';

// The organization's audit log, newest first, filtered and paged by a keyset cursor
// (the id of the last row seen), so pages stay stable while new rows arrive.

export interface AuditFilter {
  actor?: string | undefined;
  target?: string | undefined;
  action?: string | undefined;
  outcome?: 'ok' | 'refused' | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  before?: number | undefined;
  limit: number;
}

export interface AuditEntryView {
  id: number;
  at: string | null;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  target: { type: string | null; id: string | null };
  before: unknown;
  after: unknown;
  outcome: 'ok' | 'refused';
  reason: string | null;
}

export async function listAudit(conn: Conn, orgId: string, f: AuditFilter): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  const rows = await conn('audit_log')
    .where({ org_id: orgId })
    .modify((q) => {
      // actor: an exact id, or part of the label (a userName, "admin API key …").
      if (f.actor) q.where((w) => w.where('actor_id', f.actor!).orWhereRaw('lower(actor_label) like ?', [containsPattern(f.actor!)]));
      if (f.target) q.where('target_id', f.target);
      // action: exact ("member.role") or a prefix ending in a dot or star ("member.", "member.*").
      if (f.action) {
        const prefix = /[.*]$/.test(f.action) ? f.action.replace(/\*$/, '') : null;
        if (prefix) q.whereRaw(`action like ? escape '\\'`, [`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
        else q.where('action', f.action);
      }
      if (f.outcome) q.where('outcome', f.outcome);
      if (f.from) q.where('at', '>=', f.from);
      if (f.to) q.where('at', '<', f.to);
      if (f.before !== undefined) q.where('id', '<', f.before);
    })
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const items = page.map(
    (r: Record<string, unknown>): AuditEntryView => ({
      id: Number(r.id),
      at: iso(r.at as Date),
      actor: { type: r.actor_type as string, id: (r.actor_id as string | null) ?? null, label: (r.actor_label as string | null) ?? null },
      action: r.action as string,
      target: { type: (r.target_type as string | null) ?? null, id: (r.target_id as string | null) ?? null },
      before: r.before ?? null,
      after: r.after ?? null,
      outcome: r.outcome as 'ok' | 'refused',
      reason: (r.reason as string | null) ?? null,
    }),
  );
  return { items, nextCursor: rows.length > f.limit && page.length ? String(page[page.length - 1]!.id) : null };
}
