import { Router } from 'express';
import type { AppDeps } from '../../http/deps.ts';
import type { ScimContext } from '../core.ts';
import { dispatch } from '../dispatch.ts';
import type { ScimPrincipal } from './auth.ts';
import { scimAuth } from './auth.ts';
import { scimBody } from './body.ts';
import { scimErrorHandler } from './errors.ts';
import { scimRateLimits } from './rate-limit.ts';
import { send } from './respond.ts';

// The SCIM door: rate limits → auth → body → core dispatcher → one error handler. Mounted at /scim/v2
// and /scim; req.baseUrl says which, so Location headers point where the client called.

const single = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function scimRouter(deps: AppDeps): Router {
  const router = Router();
  const limits = deps.config.scim;
  const publicUrl = deps.config.publicUrl.replace(/\/+$/, '');
  router.use(scimRateLimits(deps));
  router.use(scimAuth(deps.db));
  router.use(scimBody(limits));
  router.use(async (req, res, next) => {
    try {
      const principal = res.locals.scim as ScimPrincipal;
      const ctx: ScimContext = {
        db: deps.db,
        orgId: principal.orgId,
        actor: principal.actor,
        limits,
        baseUrl: `${publicUrl}${req.baseUrl}`,
        log: (err) => req.log?.error({ err }, 'SCIM bulk operation failed'),
      };
      const r = await dispatch(ctx, {
        method: req.method,
        path: req.path,
        query: req.query as Record<string, unknown>,
        body: req.body,
        ifMatch: single(req.get('if-match')),
        ifNoneMatch: single(req.get('if-none-match')),
      });
      send(res, r);
    } catch (err: unknown) {
      next(err);
    }
  });
  router.use(scimErrorHandler(deps.logger));
  return router;
}
