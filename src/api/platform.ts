import { Router, type RequestHandler, type Response } from 'express';
import type { Actor } from '../domain/context.ts';
import { authenticatePlatformCredential, PLATFORM_PREFIX } from '../domain/platform-credentials.ts';
import type { AppDeps } from '../http/deps.ts';
import type { Caller } from './auth.ts';
import { badRequest, forbidden, notFound, unauthenticated } from './errors.ts';
import type { OrgScope } from './scope.ts';
import { findOrgByRef } from './scope.ts';

// The platform's door to the admin API: `Authorization: Bearer obplat_…`. A platform
// credential reaches only the routes mounted here — the decision API and the registration
// of projects and registries — and nothing that changes the directory. Everything else is
// 403 for it. A credential bound to an organization sees only that organization.

export interface PlatformCaller {
  credentialId: string;
  orgId: string | null;
  actor: Actor;
}

export function platformOf(res: Response): PlatformCaller | undefined {
  return res.locals.platform as PlatformCaller | undefined;
}

const BEARER = new RegExp(`^Bearer (${PLATFORM_PREFIX}_[A-Za-z0-9_-]+)$`);

/**
 * For /orgs/:org under the platform router: the organization must be the credential's
 * own (any, for a deployment-wide credential); the platform then acts as an organization
 * admin would on the few routes it can reach, and its actions are audited as its own.
 */
function platformOrg(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    const platform = platformOf(res)!;
    const org = await findOrgByRef(deps, String(req.params.org ?? ''));
    if (!org || (platform.orgId && platform.orgId !== org.id)) return next(notFound('organization'));
    res.locals.caller = { kind: 'admin_key', keyId: platform.credentialId, keyOrgId: org.id, actor: platform.actor } satisfies Caller;
    res.locals.orgScope = {
      org,
      principal: { userId: `platform:${platform.credentialId}`, systemAdmin: false, org: { orgId: org.id, role: 'admin', status: 'active', modelsSeat: 'full' }, teams: new Map() },
    } satisfies OrgScope;
    next();
  };
}

export function platformGate(deps: AppDeps, routes: { top: Router[]; org: Router[] }): RequestHandler {
  const r = Router();
  r.use(async (req, res, next) => {
    const m = BEARER.exec(req.headers.authorization ?? '');
    if (!m) return next(badRequest('Authorization header must be "Bearer obplat_…"'));
    const cred = await authenticatePlatformCredential(deps.db, m[1]!);
    if (!cred) return next(unauthenticated('unknown or revoked platform credential'));
    res.locals.platform = { credentialId: cred.id, orgId: cred.orgId, actor: { type: 'platform', id: cred.id, label: `platform credential ${cred.label || cred.id.slice(0, 8)}` } } satisfies PlatformCaller;
    next();
  });
  r.use(...routes.top);
  const org = Router({ mergeParams: true });
  org.use(platformOrg(deps), ...routes.org);
  r.use('/orgs/:org', org);
  r.use((_req, _res, next) => next(forbidden('a platform credential may only ask for decisions and register projects and registries')));
  return (req, res, next) => {
    if (!(req.headers.authorization ?? '').startsWith(`Bearer ${PLATFORM_PREFIX}_`)) return next();
    r(req, res, next);
  };
}
