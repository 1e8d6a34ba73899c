import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/load.ts';
import { openDb } from '../src/db/connect.ts';
import { buildApp } from '../src/http/app.ts';
import { createLogger } from '../src/lib/logger.ts';

// The server under test, in its own process (so the load generator does not share its
// event loop, and its resident memory can be read from /proc). Prints its port.
// BENCH_WORKERS=n runs n stateless instances behind node:cluster (SPEC §7: instances
// share one PostgreSQL); the default is one process.

const url = process.env.BENCH_DATABASE_URL!;
const schema = process.env.BENCH_SCHEMA!;
const workers = Number(process.env.BENCH_WORKERS ?? 1);
// The pool is the server's default (config/default.json, DATABASE_POOL_MAX) unless BENCH_POOL_MAX says otherwise.
const poolMax = process.env.BENCH_POOL_MAX ? Number(process.env.BENCH_POOL_MAX) : undefined;
const secret = process.env.BENCH_SESSION_SECRET ?? randomBytes(32).toString('hex');

if (workers > 1 && cluster.isPrimary) {
  let announced = false;
  for (let i = 0; i < workers; i++) {
    cluster.fork({ ...process.env, BENCH_WORKERS: '1', BENCH_SESSION_SECRET: secret, BENCH_IN_CLUSTER: '1' }).on('listening', (addr) => {
      if (!announced) process.stdout.write(`PORT ${addr.port}\nPIDS ${Object.values(cluster.workers ?? {}).map((w) => w!.process.pid).join(',')}\n`);
      announced = true;
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 500);
  });
} else {
  // Request limits stay on (their counting is part of the hot path), set above the bench's
  // ~600 requests/s from one token so that nothing is refused; RATE_LIMIT_* override.
  const limits = { RATE_LIMIT_SCIM_PER_TOKEN: '10000000', RATE_LIMIT_SCIM_PER_ADDRESS: '10000000', ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('RATE_LIMIT_'))) };
  const config = loadConfig({ DATABASE_URL: url, ...(poolMax ? { DATABASE_POOL_MAX: String(poolMax) } : {}), SESSION_SECRET: secret, ...limits } as NodeJS.ProcessEnv);
  const db = openDb({ databaseUrl: url, dataDir: 'unused', schema, poolMax: config.databasePoolMax });
  const app = buildApp({ db, config, logger: createLogger(config.logLevel) });
  const server = app.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    if (!process.env.BENCH_IN_CLUSTER) process.stdout.write(`PORT ${port}\nPIDS ${process.pid}\n`);
  });
  server.keepAliveTimeout = 60_000;
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void db.destroy().then(() => process.exit(0)));
  });
}
