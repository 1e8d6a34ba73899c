import { once } from 'node:events';
import { Router } from 'express';
import { stringify } from 'csv-stringify';
import type { z } from 'zod';
import { activeUsersOverTime } from '../../domain/activity.ts';
import type { AppDeps } from '../../http/deps.ts';
import { listAudit } from '../queries/audit.ts';
import { listUsers } from '../queries/users.ts';
import { doc } from '../openapi/doc.ts';
import { authorize, orgScopeOf } from '../scope.ts';
import { input, validate } from '../validate.ts';
import * as s from './reports.schema.ts';

const CSV_BATCH = 500;

/** Reports over the organization: CSV export of users, activity over time, audit log. */
export function reportRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });

  // Streamed in batches: memory stays flat however large the organization. Cells that a
  // spreadsheet would run as a formula (=, +, -, @ …) are escaped by csv-stringify.
  r.get(
    '/users.csv',
    doc({
      summary: 'Export members as CSV',
      description:
        'Organization admins. Every member as a spreadsheet (an attachment named after the organization): name, username, last active, role, email, teams and status, one row each. Cells a spreadsheet would run as a formula are escaped.',
      tag: 'Reports',
      responses: { 200: { description: 'The CSV, with a header row.', type: 'text/csv', headers: { 'Content-Disposition': 'attachment, with a file name of the organization\'s slug.' } } },
    }),
    authorize('org.users.export'), async (req, res) => {
    const { org } = orgScopeOf(res);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${org.slug}-users.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    const csv = stringify({
      header: true,
      escape_formulas: true,
      columns: ['Name', 'Username', 'Last active', 'Role', 'Email', 'Teams', 'Status'],
    });
    csv.pipe(res);
    let aborted = false;
    req.on('close', () => { aborted = !res.writableFinished; });
    for (let offset = 0; !aborted; offset += CSV_BATCH) {
      const { items } = await listUsers(deps.db, org.id, {}, { offset, limit: CSV_BATCH });
      for (const u of items) {
        const row = [u.name, u.userName, u.activity.lastActiveAt ?? '', u.orgRole, u.email ?? '', u.teams.map((t) => t.name).join('; '), u.status];
        if (!csv.write(row)) await once(csv, 'drain');
      }
      if (items.length < CSV_BATCH) break;
    }
    csv.end();
  });

  r.get(
    '/activity',
    doc({
      summary: 'Active members over time',
      description: 'Organization admins and system admins. How many distinct members were active per day (the last 30 days), month (the last 12) or year.',
      tag: 'Reports',
      responses: { 200: { description: 'The period and its series.', body: s.activityReport } },
    }),
    authorize(['org.users.view', 'system.activity.view']), validate(s.activity, 'query'), async (_req, res) => {
    const { period } = input(res, s.activity, 'query');
    const now = deps.now?.() ?? new Date();
    const series = await activeUsersOverTime(deps.db, orgScopeOf(res).org.id, period, now);
    res.json({ period, series });
  });

  const auditFilter = (q: z.output<typeof s.auditQuery>) => ({
    actor: q.actor,
    target: q.target,
    action: q.action,
    outcome: q.outcome,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  });

  r.get(
    '/audit',
    doc({
      summary: 'Read the audit log',
      description:
        "Organization admins. The organization's audit log, newest first: every change and every refusal, with who did it, to what, and what changed in words. Filtered, and paged by a cursor (stable while new entries arrive).",
      tag: 'Audit',
      responses: { 200: { description: 'One page of entries, newest first.', body: s.auditPage } },
    }),
    authorize('org.auditLog.view'), validate(s.auditQuery, 'query'), async (_req, res) => {
    const q = input(res, s.auditQuery, 'query');
    res.json(await listAudit(deps.db, orgScopeOf(res).org.id, { ...auditFilter(q), before: q.cursor, limit: q.limit }));
  });

  // The filtered log as a spreadsheet, in the same words as the dashboard; streamed by
  // keyset pages like users.csv. `cursor` and `limit` are ignored: it is the whole selection.
  r.get(
    '/audit.csv',
    doc({
      summary: 'Export the audit log as CSV',
      description:
        'Organization admins. The filtered audit log as a spreadsheet (an attachment), newest first, in the same words as the dashboard: when, actor, action, target, outcome, summary, action id, target id. `cursor` and `limit` are ignored: it is the whole selection.',
      tag: 'Audit',
      responses: { 200: { description: 'The CSV, with a header row.', type: 'text/csv', headers: { 'Content-Disposition': 'attachment, with a file name of the organization\'s slug.' } } },
    }),
    authorize('org.auditLog.view'), validate(s.auditQuery, 'query'), async (req, res) => {
    const { org } = orgScopeOf(res);
    const filter = auditFilter(input(res, s.auditQuery, 'query'));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${org.slug}-audit-log.csv"`);
    const csv = stringify({ header: true, escape_formulas: true, columns: ['When', 'Actor', 'Action', 'Target', 'Outcome', 'Summary', 'Action id', 'Target id'] });
    csv.pipe(res);
    let aborted = false;
    req.on('close', () => { aborted = !res.writableFinished; });
    let before: number | undefined;
    while (!aborted) {
      const page = await listAudit(deps.db, org.id, { ...filter, before, limit: CSV_BATCH });
      for (const e of page.items) {
        const row = [e.at ?? '', e.actor.label ?? e.actor.type, e.actionLabel, e.target.name ?? e.target.id ?? '', e.outcome === 'ok' ? 'Done' : 'Refused', e.summary, e.action, e.target.id ?? ''];
        if (!csv.write(row)) await once(csv, 'drain');
      }
      if (!page.nextCursor) break;
      before = Number(page.nextCursor);
    }
    csv.end();
  });

  return r;
}
