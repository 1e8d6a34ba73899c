import type { Knex } from 'knex';
import type { Conn } from '../../db/connect.ts';
import { iso } from '../views.ts';
import { actionWords, changeWords } from './audit-words.ts';
import { containsPattern } from './users.ts';

// The organization's audit log, newest first, filtered and paged by a keyset cursor
// (the id of the last row seen), so pages stay stable while new rows arrive. Targets are
// named: a user, team or custom role of this organization by its current name, else by the
// name the entry itself recorded (a removed user's userName, a deleted team's name).

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
  /** The action as a phrase ("Organization role changed"). */
  actionLabel: string;
  target: { type: string | null; id: string | null; name: string | null };
  before: unknown;
  after: unknown;
  /** What changed, in words ("role: Member → Admin"), or the refusal's reason. */
  summary: string;
  outcome: 'ok' | 'refused';
  reason: string | null;
}

// Only rows of the entry's own organization are joined: another tenant's user or team with
// the same id text can never lend its name.
const TARGET_NAME = `coalesce(
  nullif(tu.display_name, ''), tu.user_name, tt.name, tr.name, tor.name,
  a.after->>'userName', a.before->>'userName', a.after->>'invitee', a.before->>'invitee',
  a.after->>'name', a.before->>'name', a.after->>'label', a.before->>'label',
  a.after->>'domain', a.before->>'domain', a.after->>'groupName', a.before->>'groupName',
  case when a.target_type = 'domain' then a.target_id end)`;

// target_id is text (domains are targets too); cast only a UUID-shaped one, inside CASE so
// the cast never sees anything else, and compare on the uuid column itself so each join is
// a primary-key lookup (comparing id::text scanned every row of the organization).
const TARGET_UUID = `(case when a.target_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then a.target_id::uuid end)`;

function joined(conn: Conn, orgId: string): Knex.QueryBuilder {
  return conn('audit_log as a')
    .leftJoin('users as tu', function () {
      this.on(conn.raw(`a.target_type = 'user' and tu.id = ${TARGET_UUID} and tu.org_id = a.org_id`));
    })
    .leftJoin('teams as tt', function () {
      this.on(conn.raw(`a.target_type = 'team' and tt.id = ${TARGET_UUID} and tt.org_id = a.org_id`));
    })
    .leftJoin('custom_roles as tr', function () {
      this.on(conn.raw(`a.target_type = 'custom_role' and tr.id = ${TARGET_UUID} and tr.org_id = a.org_id`));
    })
    .leftJoin('organizations as tor', function () {
      this.on(conn.raw(`a.target_type = 'organization' and tor.id = ${TARGET_UUID} and tor.id = a.org_id`));
    })
    .where('a.org_id', orgId);
}

export async function listAudit(conn: Conn, orgId: string, f: AuditFilter): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  const rows = await joined(conn, orgId)
    .modify((q) => {
      // actor: an exact id, or part of the label (a userName, "admin API key …").
      if (f.actor) q.where((w) => w.where('a.actor_id', f.actor!).orWhereRaw('lower(a.actor_label) like ?', [containsPattern(f.actor!)]));
      // target: an exact id, or part of its name.
      if (f.target) q.where((w) => w.where('a.target_id', f.target!).orWhereRaw(`lower(normalize(${TARGET_NAME}, NFKC)) like ?`, [containsPattern(f.target!)]));
      // action: exact ("member.role") or a prefix ending in a dot or star ("member.", "member.*").
      if (f.action) {
        const prefix = /[.*]$/.test(f.action) ? f.action.replace(/\*$/, '') : null;
        if (prefix) q.whereRaw(`a.action like ? escape '\\'`, [`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
        else q.where('a.action', f.action);
      }
      if (f.outcome) q.where('a.outcome', f.outcome);
      if (f.from) q.where('a.at', '>=', f.from);
      if (f.to) q.where('a.at', '<', f.to);
      if (f.before !== undefined) q.where('a.id', '<', f.before);
    })
    .orderBy('a.id', 'desc')
    .limit(f.limit + 1)
    .select('a.*', conn.raw(`${TARGET_NAME} as target_name`));
  const page = rows.slice(0, f.limit);
  const items = page.map((r: Record<string, unknown>): AuditEntryView => {
    const reason = (r.reason as string | null) ?? null;
    return {
      id: Number(r.id),
      at: iso(r.at as Date),
      actor: { type: r.actor_type as string, id: (r.actor_id as string | null) ?? null, label: (r.actor_label as string | null) ?? null },
      action: r.action as string,
      actionLabel: actionWords(r.action as string),
      target: { type: (r.target_type as string | null) ?? null, id: (r.target_id as string | null) ?? null, name: (r.target_name as string | null) ?? null },
      before: r.before ?? null,
      after: r.after ?? null,
      summary: reason ?? changeWords(r.before, r.after),
      outcome: r.outcome as 'ok' | 'refused',
      reason,
    };
  });
  return { items, nextCursor: rows.length > f.limit && page.length ? String(page[page.length - 1]!.id) : null };
}
