import type { RequestHandler, Response } from 'express';
import { recordActivity } from '../domain/activity.ts';
import { can, type Decision, type PermissionId, type Principal, type Scope } from '../domain/permissions/index.ts';
import { apiKeyPrincipal, loadPrincipal } from '../domain/principal.ts';
import { trustsOrg, type ProviderTrust } from '../domain/provisioning/provider-trust.ts';
import type { OrganizationRow } from '../domain/types.ts';
import type { AppDeps } from '../http/deps.ts';
import { callerOf } from './auth.ts';
import { UUID } from './ids.ts';
import { forbidden, notFound } from './errors.ts';

// Organization scope: resolves `:org` (id or slug), builds the caller's Principal there,
// and asks can() before any handler runs. What a principal may not do is refused here.

/** A person's activity is recorded at most once a minute per organization. */
const ACTIVITY_EVERY_MS = 60_000;

export interface OrgScope {
  org: OrganizationRow;
  principal: Principal;
}

export function orgScopeOf(res: Response): OrgScope {
  const s = res.locals.orgScope as OrgScope | undefined;
  if (!s) throw new Error('withOrg() did not run before this handler');
  return s;
}

export async function findOrgByRef(deps: AppDeps, ref: string): Promise<OrganizationRow | undefined> {
  const byId = UUID.test(ref);
  return deps
    .db('organizations')
    .where((w) => {
      w.where('slug', ref.toLowerCase());
      if (byId) w.orWhere('id', ref);
    })
    // A slug is set once, by the operator; were one ever shaped like another organization's id, the id wins (as findOrganization).
    .orderByRaw(byId ? 'case when id = ? then 0 else 1 end' : 'id', byId ? [ref] : [])
    .first<OrganizationRow | undefined>();
}

async function noteActivity(deps: AppDeps, orgId: string, recordId: string): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const m = await deps.db('memberships').where({ org_id: orgId, user_id: recordId, status: 'active' }).first<{ last_active_at: Date | null } | undefined>('last_active_at');
  if (!m) return;
  if (m.last_active_at && now.getTime() - new Date(m.last_active_at).getTime() < ACTIVITY_EVERY_MS) return;
  await recordActivity(deps.db, orgId, recordId, now);
}

/**
 * A session reaches only the organizations its provider is trusted for, and instance
 * administration only through a provider trusted for all (src/sso/trust.ts sessionTrust).
 */
function withinTrust(p: Principal, trust: ProviderTrust | null, org: Pick<OrganizationRow, 'slug'>): Principal {
  if (!trust) return p;
  const systemAdmin = p.systemAdmin && trust.orgSlugs === null;
  if (trustsOrg(trust, org)) return systemAdmin === p.systemAdmin ? p : { ...p, systemAdmin };
  return { userId: p.userId, systemAdmin, teams: new Map() };
}

/**
 * For routes under /orgs/:org. Someone with no membership there (and not a system admin)
 * gets 404, so organizations are not discoverable by probing; a pending or deactivated
 * member gets 403 on every route. An admin API key only ever sees its own organization.
 */
export function withOrg(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    const caller = callerOf(res);
    const ref = String(req.params.org ?? '');
    const org = await findOrgByRef(deps, ref);
    if (!org) return next(notFound('organization'));
    let principal: Principal | null;
    if (caller.kind === 'admin_key') {
      if (caller.keyOrgId !== org.id) return next(forbidden('this API key belongs to another organization'));
      principal = apiKeyPrincipal(caller.keyId, org.id);
    } else {
      if (caller.kind === 'user_key' && caller.keyOrgId && caller.keyOrgId !== org.id) {
        return next(forbidden('this API key belongs to another organization'));
      }
      principal = await loadPrincipal(deps.db, caller.accountId, org.id);
      if (principal && caller.kind === 'session') principal = withinTrust(principal, caller.trust, org);
      if (!principal || (!principal.org && !principal.systemAdmin)) return next(notFound('organization'));
      // Every organization-scoped read and write needs an active membership (a pending
      // invitee has not accepted; a deactivated member's access ended), whatever team places
      // or role the record keeps for a reactivation (issue 14). System admins act as such.
      if (!principal.systemAdmin && principal.org?.status !== 'active') {
        return next(forbidden(`Not allowed: organization membership is ${principal.org?.status ?? 'absent'}, not active.`));
      }
      // A key acts only as the record it belongs to (a record unlinked since is no one's).
      if (caller.kind === 'user_key' && principal.memberId !== caller.recordId) return next(forbidden('this API key belongs to another member record'));
      if (principal.org?.status === 'active' && principal.memberId) await noteActivity(deps, org.id, principal.memberId);
    }
    res.locals.orgScope = { org, principal } satisfies OrgScope;
    next();
  };
}

export type ScopeOf = (req: Parameters<RequestHandler>[0], s: OrgScope) => Scope;
const orgOnly: ScopeOf = (_req, s) => ({ orgId: s.org.id });
export const teamScope: ScopeOf = (req, s) => ({ orgId: s.org.id, teamId: String(req.params.team) });

/** The first decision that allows, else the first refusal (its reason is the 403 message). */
export function decide(principal: Principal, permissions: readonly PermissionId[], scope: Scope): Decision {
  let refusal: Decision | undefined;
  for (const p of permissions) {
    const d = can(principal, p, scope);
    if (d.allowed) return d;
    refusal ??= d;
  }
  return refusal ?? { allowed: false, reason: 'no permission given' };
}

/** Throws 403 unless can() allows one of `permissions` here. */
export function assertCan(req: Parameters<RequestHandler>[0], res: Response, permissions: PermissionId | readonly PermissionId[], scopeOf: ScopeOf = orgOnly): void {
  const list = typeof permissions === 'string' ? [permissions] : permissions;
  const s = orgScopeOf(res);
  const d = decide(s.principal, list, scopeOf(req, s));
  if (!d.allowed) throw forbidden(`Not allowed: ${d.reason}.`, { permission: list.length === 1 ? list[0] : list, reason: d.reason });
}

/**
 * Refuses with 403 unless can() allows one of `permissions` (alternatives: e.g. an
 * organization admin's org.teams.create, or a system admin's system.teams.manage).
 */
export function authorize(permissions: PermissionId | readonly PermissionId[], scopeOf: ScopeOf = orgOnly): RequestHandler {
  return (req, res, next) => {
    try {
      assertCan(req, res, permissions, scopeOf);
      next();
    } catch (err: unknown) {
      next(err);
    }
  };
}
