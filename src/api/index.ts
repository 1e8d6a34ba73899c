import express, { Router } from 'express';
import type { AppDeps } from '../http/deps.ts';
import { authenticate } from './auth.ts';
import { notFound, renderApiError } from './errors.ts';
import { apiRateLimits } from './rate-limit.ts';
import { refuseUnstorable } from './storable.ts';
import { accessRoutes } from './routes/access.routes.ts';
import { accountRoutes } from './routes/accounts.routes.ts';
import { meRoutes, orgMeRoutes } from './routes/me.routes.ts';
import { orgRoutes } from './routes/orgs.routes.ts';
import { reportRoutes } from './routes/reports.routes.ts';
import { catalogRoutes, roleRoutes } from './routes/roles.routes.ts';
import { teamRoutes } from './routes/teams.routes.ts';
import { userRoutes } from './routes/users.routes.ts';
import { withOrg } from './scope.ts';
import { platformGate } from './platform.ts';
import { decisionRoutes } from './routes/decisions.routes.ts';
import { projectRoutes } from './routes/projects.routes.ts';
import { registryRoutes } from './routes/registries.routes.ts';
import { serviceAccountRoutes } from './routes/service-accounts.routes.ts';
import { auditExportRoutes } from './routes/audit-export.routes.ts';
import { webhookRoutes } from './routes/webhooks.routes.ts';
import { checkResponses } from './openapi/check.ts';
import { doc } from './openapi/doc.ts';
import { describeApi, type Description } from './openapi/document.ts';
import { VERSION } from '../lib/version.ts';
import { z } from 'zod';

/**
 * The admin API, mounted at /api/v1. Every request: authenticate (API key or session,
 * CSRF-checked for cookie writes) → for /orgs/:org, resolve the organization and the
 * caller's principal → authorize with can() → validate (zod) → domain command in a
 * transaction. Errors leave through renderApiError only.
 */
export function apiRouter(deps: AppDeps): Router {
  const r = Router();
  // This router's own OpenAPI 3.1 description (issue 16 item 5), built on first ask.
  let described: Description | undefined;
  const description = () => (described ??= describeApi(r, { version: VERSION, basePath: '/api/v1' }));
  if (deps.checkResponse) r.use(checkResponses(deps.checkResponse, description));
  r.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  r.use(apiRateLimits(deps));
  r.get(
    '/openapi.json',
    doc({
      summary: 'This API description',
      description: 'The OpenAPI 3.1 description of /api/v1, generated from the routes and their zod schemas. No credential needed.',
      tag: 'API description',
      public: true,
      responses: { 200: { description: 'An OpenAPI 3.1 document.', body: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }) } },
    }),
    (_req, res) => {
      res.json(description().document);
    },
  );
  // A batch of 1,000 checks is larger than any admin request: its own cap (issue 15).
  r.use('/decisions', express.json({ limit: '1mb' }));
  r.use(express.json({ limit: '100kb' }));
  r.use(refuseUnstorable);
  // The platform's credential (Bearer obplat_…) reaches only its own routes: the same
  // router instances as everyone's, so one description (and one check) covers both doors.
  const decisions = decisionRoutes(deps);
  const projects = projectRoutes(deps);
  const registries = registryRoutes(deps);
  r.use(platformGate(deps, { top: [decisions], org: [projects, registries] }));
  r.use(authenticate(deps));
  r.use(meRoutes(deps), catalogRoutes(), accountRoutes(deps), decisions);

  const org = Router({ mergeParams: true });
  org.use(withOrg(deps));
  org.use(orgMeRoutes(), orgRoutes(deps), userRoutes(deps), teamRoutes(deps), roleRoutes(deps), accessRoutes(deps), reportRoutes(deps), projects, registries, serviceAccountRoutes(deps));
  org.use(webhookRoutes(deps), auditExportRoutes(deps)); // issue 16
  r.use('/orgs/:org', org);

  r.use((_req, _res, next) => next(notFound('route')));
  r.use(renderApiError);
  return r;
}
