import { Router } from 'express';
import type { AppDeps } from './deps.ts';

export function healthRouter({ db, logger }: AppDeps): Router {
  const r = Router();
  // Liveness: the process answers. Never touches the database.
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: the database answers within 2 s.
  r.get('/readyz', async (_req, res) => {
    try {
      await Promise.race([
        db.raw('select 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('database did not answer within 2 s')), 2000).unref()),
      ]);
      res.json({ status: 'ready' });
    } catch (err: unknown) {
      logger.warn({ err }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', detail: 'database unreachable' });
    }
  });
  return r;
}
