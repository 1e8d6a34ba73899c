import { createServer, type Server } from 'node:http';
import type { RequestHandler } from 'express';
import type { MetricsConfig } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import { sql } from '../db/sql.ts';
import { hashSecret, sameDigest } from '../lib/secrets.ts';
import { clientFamily, enableProcessMetrics, httpDuration, registry, scimOperations, setScrapeSources } from '../lib/metrics.ts';

// HTTP side of the metrics (issue 16): one timing per request, and GET /metrics.
//
// Per-request cost: two high-resolution clock reads and one histogram observation on
// 'finish' (a SCIM request adds one counter). The route label is the matched route's
// pattern (`/scim/v2/Users/:id`), never the raw path, so label sets stay bounded; the one
// mount with a parameter in its prefix (/api/v1/orgs/:org) is put back into pattern form.
// Routers match paths case-insensitively (`/API/V1/ORGS/<Org>/…` reaches the same routes),
// so the mount prefix is put in its own spelling too: the client's spelling (or its org's
// slug in any case) never becomes a label value.

const ORG_MOUNT = /^\/api\/v1\/orgs\/[^/]+/i;
// The SCIM router dispatches by itself (no Express routes): its resource is read from the
// path, against the endpoints RFC 7644 §3.2 defines; anything else is "other".
const SCIM_PATH = /^\/scim(?:\/v2)?(?=[/?]|$)(\/[^/?]*)?(\/[^?]*)?/i;
const SCIM_RESOURCES = new Map(['Users', 'Groups', 'Roles', 'Bulk', 'Me', 'ServiceProviderConfig', 'ResourceTypes', 'Schemas'].map((r) => [r.toLowerCase(), r]));

function routeOf(req: Parameters<RequestHandler>[0]): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern !== 'string') return 'unmatched';
  return req.baseUrl.replace(ORG_MOUNT, '/api/v1/orgs/:org').toLowerCase() + pattern;
}

function scimRoute(originalUrl: string): { resource: string; route: string } | null {
  const m = SCIM_PATH.exec(originalUrl);
  if (!m) return null;
  const resource = m[1] ? (SCIM_RESOURCES.get(m[1].slice(1).toLowerCase()) ?? 'other') : 'root';
  const prefix = /^\/scim\/v2/i.test(originalUrl) ? '/scim/v2' : '/scim';
  return { resource, route: `${prefix}/${resource}${m[2] && m[2] !== '/' ? '/:id' : ''}` };
}

export function requestMetrics(): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = String(res.statusCode);
      const scim = req.originalUrl.length > 4 && (req.originalUrl[1] === 's' || req.originalUrl[1] === 'S') ? scimRoute(req.originalUrl) : null;
      httpDuration.observe({ route: scim ? scim.route : routeOf(req), method: req.method, status }, seconds);
      if (scim) scimOperations.inc({ resource: scim.resource, method: req.method, status: `${status[0]}xx`, client: clientFamily(req.get('user-agent')) });
    });
    next();
  };
}

/** A check of `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time; none without a token. */
function bearerCheck(token: string | null): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const expected = hashSecret(token);
  return (authorization) => {
    const m = /^Bearer (\S+)$/.exec(authorization ?? '');
    return Boolean(m && sameDigest(hashSecret(m[1]!), expected));
  };
}

/** GET /metrics behind `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsRoute(token: string | null): RequestHandler {
  enableProcessMetrics();
  const allowed = bearerCheck(token);
  return (req, res, next) => {
    if (req.method !== 'GET' || req.path !== '/metrics') return next();
    if (!allowed(req.get('authorization'))) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      res.status(401).json({ error: { code: 'unauthenticated', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' } });
      return;
    }
    registry
      .metrics()
      .then((text) => {
        res.setHeader('Content-Type', registry.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.send(text);
      })
      .catch(next);
  };
}

/** The metrics on their own port (METRICS_PORT), for a scraper on a private interface. */
export function serveMetrics(cfg: MetricsConfig): Promise<Server> {
  enableProcessMetrics();
  const allowed = bearerCheck(cfg.token);
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      if (!allowed(req.headers.authorization)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"' }).end();
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    server.once('error', reject);
    server.listen(cfg.port ?? 0, cfg.host, () => resolve(server));
  });
}

/** What /metrics reads from this process's database and pool at scrape time. */
export function useDatabaseForMetrics(db: Db): void {
  setScrapeSources({
    async outbox() {
      const [row] = await sql<{ events: number; deliveries: number; oldest: number | null }>(
        db,
        `select (select count(*) from events where fanned_out_at is null) as events,
                (select count(*) from webhook_deliveries where status = 'pending') as deliveries,
                extract(epoch from now() - least(
                  (select min(at) from events where fanned_out_at is null),
                  (select min(created_at) from webhook_deliveries where status = 'pending'))) as oldest`,
        [],
      );
      return { depth: Number(row?.events ?? 0), pendingDeliveries: Number(row?.deliveries ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)) };
    },
    pool() {
      const pool = (db.client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }).pool;
      return pool ? { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires() } : { used: 0, free: 0, pending: 0 };
    },
  });
}
