import { Router } from 'express';
import { PERMISSIONS } from '../../domain/permissions/index.ts';
import { trustsOrg } from '../../domain/provisioning/provider-trust.ts';
import type { OrganizationRow } from '../../domain/types.ts';
import type { AppDeps } from '../../http/deps.ts';
import { callerOf, csrfTokenOf } from '../auth.ts';
import { decide, orgScopeOf, requireMember } from '../scope.ts';
import { orgView } from '../views.ts';

/** Who the caller is, and (per organization) what can() lets them do. */
export function meRoutes(deps: AppDeps): Router {
  const r = Router();

  r.get('/me', async (req, res) => {
    const caller = callerOf(res);
    if (caller.kind === 'admin_key') {
      const org = await deps.db('organizations').where({ id: caller.keyOrgId }).first('id', 'name', 'slug');
      res.json({ user: null, apiKey: { id: caller.keyId }, systemAdmin: false, orgs: [{ ...org, role: 'admin', status: 'active' }] });
      return;
    }
    const account = await deps.db('accounts').where({ id: caller.accountId }).first('id', 'email', 'display_name', 'system_admin');
    const orgs = await deps.db('memberships as m')
      .join('users as u', 'u.id', 'm.user_id')
      .join('organizations as o', 'o.id', 'm.org_id')
      .where('u.account_id', caller.accountId)
      .modify((q) => {
        if (caller.kind === 'user_key' && caller.keyOrgId) q.where('m.org_id', caller.keyOrgId);
      })
      .orderBy('o.name')
      .select('o.id', 'o.name', 'o.slug', 'm.org_role as role', 'm.status', 'u.id as memberId');
    // A session reaches only what its provider is trusted for (src/sso/trust.ts).
    const trust = caller.kind === 'session' ? caller.trust : null;
    res.json({
      user: { id: account.id, userName: account.email, email: account.email, name: account.display_name || account.email },
      systemAdmin: account.system_admin && (!trust || trust.orgSlugs === null),
      orgs: orgs.filter((o: { slug: string }) => !trust || trustsOrg(trust, o)),
      // For the dashboard: cookie-authenticated writes send it back in X-CSRF-Token.
      ...(caller.kind === 'session' ? { csrfToken: csrfTokenOf(req) } : {}),
    });
  });

  // Every organization for a system admin; a person's own organizations otherwise.
  r.get('/orgs', async (_req, res) => {
    const caller = callerOf(res);
    const q = deps.db('organizations as o').orderBy('o.name').select('o.*');
    const trust = caller.kind === 'session' ? caller.trust : null;
    if (caller.kind === 'admin_key') q.where('o.id', caller.keyOrgId);
    else {
      const sys = await deps.db('accounts').where({ id: caller.accountId }).first('system_admin');
      if (!sys?.system_admin || (trust && trust.orgSlugs !== null)) {
        q.whereIn('o.id', deps.db('memberships as m').join('users as u', 'u.id', 'm.user_id').where('u.account_id', caller.accountId).whereNot('m.status', 'deactivated').select('m.org_id'));
      }
    }
    res.json({ items: ((await q) as OrganizationRow[]).filter((o) => !trust || trustsOrg(trust, o)).map(orgView) });
  });

  return r;
}

/** GET /orgs/:org/me: the caller's membership and every permission can() gives them here. */
export function orgMeRoutes(): Router {
  const r = Router({ mergeParams: true });
  r.get('/me', requireMember, (_req, res) => {
    const { org, principal } = orgScopeOf(res);
    const orgLevel = PERMISSIONS.filter((p) => p.level !== 'team').map((p) => p.id);
    const teamLevel = PERMISSIONS.filter((p) => p.id.startsWith('team.')).map((p) => p.id);
    const allowed = (ids: string[], scope: { orgId: string; teamId?: string }) =>
      ids.filter((id) => decide(principal, [id as (typeof orgLevel)[number]], scope).allowed);
    res.json({
      org: { id: org.id, name: org.name, slug: org.slug },
      membership: principal.org ? { role: principal.org.role, status: principal.org.status, modelsSeat: principal.org.modelsSeat } : null,
      systemAdmin: principal.systemAdmin,
      permissions: allowed(orgLevel, { orgId: org.id }),
      teams: Object.fromEntries(
        [...principal.teams.entries()].map(([teamId, t]) => [teamId, { role: t.role, permissions: allowed(teamLevel, { orgId: org.id, teamId }) }]),
      ),
    });
  });
  return r;
}
