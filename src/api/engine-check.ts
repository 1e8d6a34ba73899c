import type { Response } from 'express';
import { decideBatch, MAX_BATCH } from '../domain/decisions/decide.ts';
import type { PrincipalRef, ResourceRef } from '../domain/decisions/types.ts';
import type { PermissionId } from '../domain/permissions/index.ts';
import type { AppDeps } from '../http/deps.ts';
import { callerOf } from './auth.ts';
import { forbidden } from './errors.ts';
import { orgScopeOf } from './scope.ts';

/**
 * Throws 403 unless the caller may do `permission` on a project or registry, answered by
 * the decision engine (visibility, project and registry roles, ownership), so the admin
 * API and the platform's decision API never disagree. An organization admin (a session,
 * an admin key, the platform) is answered by can() as acting team admin.
 */
export async function assertResourceAllows(deps: AppDeps, res: Response, permission: PermissionId, resource: ResourceRef): Promise<void> {
  const caller = callerOf(res);
  const { principal } = orgScopeOf(res);
  let who: PrincipalRef;
  if (caller.kind === 'session') who = { type: 'person', accountId: caller.accountId };
  else if (caller.kind === 'user_key') who = { type: 'person', memberId: caller.recordId };
  else if (principal.org?.role === 'admin' && principal.org.status === 'active') return;
  else throw forbidden('Not allowed.');
  const [d] = await decideBatch(deps.db, [{ principal: who, permission, resource }], { kind: 'orgs', orgIds: new Set([orgScopeOf(res).org.id]) });
  if (d?.decision !== 'allow') throw forbidden(`Not allowed: ${d?.reason ?? 'no decision'}.`, { permission, reason: d?.reason });
}

/**
 * Which of `resources` the caller may `permission`, as the decision engine answers (one
 * batch per 1,000): lists show only what reading each one would allow, so a restricted
 * project or registry is not named to a member who holds no role in it. Organization
 * admins (any door) and system admins see everything, as they may read everything.
 */
export async function resourcesAllowed(deps: AppDeps, res: Response, permission: PermissionId, resources: readonly ResourceRef[]): Promise<boolean[]> {
  const caller = callerOf(res);
  const { principal, org } = orgScopeOf(res);
  if (principal.systemAdmin || (principal.org?.role === 'admin' && principal.org.status === 'active')) return resources.map(() => true);
  let who: PrincipalRef;
  if (caller.kind === 'session') who = { type: 'person', accountId: caller.accountId };
  else if (caller.kind === 'user_key') who = { type: 'person', memberId: caller.recordId };
  else return resources.map(() => false);
  const out: boolean[] = [];
  for (let i = 0; i < resources.length; i += MAX_BATCH) {
    const batch = resources.slice(i, i + MAX_BATCH).map((resource) => ({ principal: who, permission, resource }));
    const answers = await decideBatch(deps.db, batch, { kind: 'orgs', orgIds: new Set([org.id]) });
    out.push(...answers.map((d) => d.decision === 'allow'));
  }
  return out;
}
