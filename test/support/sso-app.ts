import type { Server } from 'node:http';
import { loadConfig } from '../../src/config/load.ts';
import type { Db } from '../../src/db/connect.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { SsoDeps } from '../../src/sso/index.ts';
import { freePort } from './ports.ts';

// The whole app (buildApp, so the SSO router is mounted as in production), configured
// from environment variables exactly as an operator would, listening on 127.0.0.1.

export interface RunningApp {
  url: string;
  deps: SsoDeps;
  stop(): Promise<void>;
}

export const TEST_SESSION_SECRET = 'test-session-secret-0123456789-abcdefghij';

export async function startApp(db: Db, env: Record<string, string>, hooks: SsoDeps["sso"] = {}, now?: () => Date): Promise<RunningApp> {
  // A test that must know the URL before the app exists (an OP's redirect_uris) passes PORT.
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({ PUBLIC_URL: url, SESSION_SECRET: TEST_SESSION_SECRET, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env });
  const deps: SsoDeps = { db, config, logger: createLogger(config.logLevel), sso: hooks, ...(now ? { now } : {}) };
  const app = buildApp(deps);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  return {
    url,
    deps,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
