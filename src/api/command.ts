import type { RequestHandler, Response } from 'express';
import { runInTransaction, type Tx } from '../domain/context.ts';
import type { OrganizationRow } from '../domain/types.ts';
import type { AppDeps } from '../http/deps.ts';
import { callerOf } from './auth.ts';
import { notFound } from './errors.ts';
import { UUID } from './ids.ts';
import { ID_PARAMS, type Documented } from './openapi/doc.ts';
import { orgScopeOf } from './scope.ts';

/**
 * Runs domain commands in one transaction as the caller, so the last-admin guard, the
 * seat license and the audit row all apply (and a refusal is itself audited).
 */
export function command<T>(deps: AppDeps, res: Response, fn: (tx: Tx, org: OrganizationRow) => Promise<T>): Promise<T> {
  const { org } = orgScopeOf(res);
  return runInTransaction(deps.db, callerOf(res).actor, (tx) => fn(tx, org));
}

const WHAT: Record<string, string> = {
  user: 'member',
  team: 'team',
  tokenId: 'SCIM token',
  keyId: 'API key',
  groupId: 'role group',
  roleId: 'custom role',
  invitationId: 'invitation',
};

/** Path ids that cannot name a row are 404 before they reach SQL (which would reject the cast). */
export function idParams(...names: (keyof typeof WHAT)[]): RequestHandler {
  const h: Documented = (req, _res, next) => {
    for (const n of names) {
      if (!UUID.test(String(req.params[n] ?? ''))) return next(notFound(WHAT[n] ?? n));
    }
    next();
  };
  h[ID_PARAMS] = names; // described as format: uuid (openapi/document.ts)
  return h;
}
