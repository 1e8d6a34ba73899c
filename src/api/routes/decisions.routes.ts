import { Router, type Response } from 'express';
import { decideBatch, MAX_BATCH } from '../../domain/decisions/decide.ts';
import type { AskScope, DecisionRequest } from '../../domain/decisions/types.ts';
import { trustsOrg } from '../../domain/provisioning/provider-trust.ts';
import type { AppDeps } from '../../http/deps.ts';
import { callerOf } from '../auth.ts';
import { badRequest } from '../errors.ts';
import { doc } from '../openapi/doc.ts';
import { platformOf } from '../platform.ts';
import { input, validate } from '../validate.ts';
import * as s from './decisions.schema.ts';

// POST /api/v1/decisions: the platform asks who may do what (issue 15), a batch of up to
// 1,000 checks answered in order. A platform credential asks about its organization (or,
// deployment-wide, any); the dashboard's "explain" panel asks with a session or an admin
// key, about the organizations where the caller is an active organization admin.

async function askScope(deps: AppDeps, res: Response): Promise<AskScope> {
  const platform = platformOf(res);
  if (platform) return platform.orgId ? { kind: 'orgs', orgIds: new Set([platform.orgId]) } : { kind: 'all' };
  const caller = callerOf(res);
  if (caller.kind === 'admin_key') return { kind: 'orgs', orgIds: new Set([caller.keyOrgId]) };
  const rows = (await deps
    .db('users as u')
    .join('memberships as m', function () {
      this.on('m.user_id', 'u.id').andOn('m.org_id', 'u.org_id');
    })
    .join('organizations as o', 'o.id', 'u.org_id')
    .where({ 'u.account_id': caller.accountId, 'm.status': 'active', 'm.org_role': 'admin' })
    .modify((q) => { if (caller.kind === 'user_key') q.where('u.id', caller.recordId); })
    .select('o.id', 'o.slug')) as { id: string; slug: string }[];
  const trust = caller.kind === 'session' ? caller.trust : null;
  return { kind: 'orgs', orgIds: new Set(rows.filter((o) => !trust || trustsOrg(trust, o)).map((o) => o.id)) };
}

export function decisionRoutes(deps: AppDeps): Router {
  const r = Router();
  r.post(
    '/decisions',
    doc({
      summary: 'Ask who may do what',
      description:
        "A batch of 1 to 1,000 checks (more is 400), each `{principal, permission, resource, attributeTo?}`, answered in order from one state of the directory. Any caller may ask; what it may ask about: the platform's credential, its organization (a deployment-wide credential, every one); an admin key, its organization; a session or a personal key, the organizations where the person is an active organization admin (for a session from a sign-in provider limited to some organizations, only those). A resource outside that is denied as not found, exactly like a missing one. An unknown permission is a deny, not a refusal.",
      tag: 'Decisions',
      platform: true,
      responses: { 200: { description: 'One result per check, in order: allow or deny, the reason, and for an allowed `attributeTo` the member the run may be attributed to.', body: s.decisionResults } },
    }),
    (req, _res, next) => {
      // The cap is a 400 of its own (not a validation issue per item), checked before parsing 1,001 items.
      const checks = (req.body as { checks?: unknown } | undefined)?.checks;
      if (Array.isArray(checks) && checks.length > MAX_BATCH) return next(badRequest(`at most ${MAX_BATCH} checks per request (got ${checks.length})`, { max: MAX_BATCH }));
      next();
    },
    validate(s.decisions),
    async (_req, res) => {
      const { checks } = input(res, s.decisions);
      const ask = await askScope(deps, res);
      const results = await decideBatch(deps.db, checks as DecisionRequest[], ask, deps.now?.() ?? new Date());
      res.json({ results });
    },
  );
  return r;
}
