import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { AppDeps } from './deps.ts';
import { healthRouter } from './health.ts';
import { scimRouter } from '../scim/http/router.ts';
import { apiRouter } from '../api/index.ts';
import { IMPORT_MAP_CSP_SOURCE, uiRouter } from '../ui/index.ts';
import { ssoRouter } from '../sso/index.ts';
import { metricsRoute, requestMetrics, useDatabaseForMetrics } from './metrics.ts';

/** What a request log line says about the request: never its headers or body. */
function serializeReq(req: IncomingMessage & { id?: unknown; originalUrl?: string }) {
  return { id: req.id, method: req.method, url: req.originalUrl ?? req.url };
}

function serializeRes(res: ServerResponse) {
  return { statusCode: res.statusCode };
}

/**
 * The Express app, not listening: main.ts listens, tests drive it in-process.
 * Each protocol (SCIM, admin API, SSO) renders its own errors inside its router; what
 * reaches the last handler here is an unknown failure: a logged 500, never a 404 or 200.
 */
export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  // upgrade-insecure-requests, HSTS and COOP only when the deployment is served over https: on a
  // plain-http address (a LAN IP) Chromium would rewrite every script, style and form post
  // to https, which nothing answers, and HSTS would pin the host to it (issue 14 item 9).
  const https = new URL(deps.config.publicUrl).protocol === 'https:';
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'", IMPORT_MAP_CSP_SOURCE],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'upgrade-insecure-requests': https ? [] : null,
        },
      },
      strictTransportSecurity: https,
      // Browsers ignore Cross-Origin-Opener-Policy from an untrustworthy (plain-http, not
      // loopback) origin and say so on the console: sent only where it takes effect.
      crossOriginOpenerPolicy: https,
    }),
  );
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Lean serializers: pino-http binds `req` to a child logger on every request, which
      // serializes (and redacts) it at once, whatever the log level. The standard
      // serializers copy every header and rely on redaction for the authorization header
      // and cookies; these keep only what a request line needs, so no header — credential
      // or not — can reach the log, and the per-request work is smaller (BENCHMARKS.md).
      wrapSerializers: false,
      serializers: { req: serializeReq, res: serializeRes },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    }),
  );

  app.use(requestMetrics()); // [metrics]
  // GET /metrics here only behind its token; METRICS_PORT serves it on its own port (main.ts).
  if (deps.config.metrics.token && deps.config.metrics.port === null) {
    useDatabaseForMetrics(deps.db);
    app.use(metricsRoute(deps.config.metrics.token));
  }

  // --- protocol routers (each owns its error rendering) ---
  // The prefix-mounted ones first: SCIM is the busiest door (IdPs, all day), and a request
  // that matches it early skips matching the health and sign-in routes' paths.
  const scim = scimRouter(deps); app.use('/scim/v2', scim); app.use('/scim', scim); // [mount:scim]
  app.use('/api/v1', apiRouter(deps)); // [mount:api]
  app.use(healthRouter(deps));
  app.use(ssoRouter(deps)); // [mount:sso]
  app.use(uiRouter(deps)); // [mount:ui]

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such route' } });
  });
  const lastResort: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
    // body-parser and friends mark client errors (bad JSON, too large) with a 4xx status.
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'bad_request', message: (err as Error).message } });
      return;
    }
    req.log.error({ err }, 'unhandled error');
    if (res.headersSent) return;
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
  app.use(lastResort);
  return app;
}
