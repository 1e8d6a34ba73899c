import { Router } from 'express';
import { PERMISSIONS } from '../../domain/permissions/index.ts';
import { trustsOrg } from '../../domain/provisioning/provider-trust.ts';
import type { OrganizationRow } from '../../domain/types.ts';
import type { AppDeps } from '../../http/deps.ts';
import { callerOf, csrfTokenOf } from '../auth.ts';
import { doc } from '../openapi/doc.ts';
import { decide, orgScopeOf } from '../scope.ts';
import { list, orgSchema } from '../views.schema.ts';
import { orgView } from '../views.ts';
import * as s from './me.schema.ts';

/** Who the caller is, and (per organization) what can() lets them do. */
export function meRoutes(deps: AppDeps): Router {
  const r = Router();

  r.get(
    '/me',
    doc({
      summary: 'Who am I',
      description:
        "Any caller. A person (session or personal API key) gets their account, whether they are a system admin, and their memberships (a personal key: in its own organization only; a session: in the organizations its sign-in provider is trusted for), and a session its CSRF token. An organization's admin API key gets its id and its organization, as admin.",
      tag: 'Me',
      responses: { 200: { description: 'The caller.', body: s.me } },
    }),
    async (req, res) => {
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
  r.get(
    '/orgs',
    doc({
      summary: 'List organizations',
      description:
        "Any caller. A system admin sees every organization; anyone else the organizations they are a member of (not deactivated), within what their sign-in provider is trusted for; an admin API key its own organization.",
      tag: 'Me',
      responses: { 200: { description: 'The organizations, by name.', body: list(orgSchema) } },
    }),
    async (_req, res) => {
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
  r.get(
    '/me',
    doc({
      summary: 'My membership and permissions here',
      description: "Any active member of the organization, and system admins. The caller's membership, and every permission can() gives them in the organization and in each of their teams (what the dashboard offers).",
      tag: 'Me',
      responses: { 200: { description: "The caller's membership and permissions.", body: s.orgMe } },
    }),
    (_req, res) => {
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
