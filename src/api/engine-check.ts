import type { Response } from 'express';
import { decideBatch } from '../domain/decisions/decide.ts';
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
