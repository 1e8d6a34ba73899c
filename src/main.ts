import { ConfigError, loadConfig } from './config/load.ts';
import { openDb } from './db/connect.ts';
import { EmbeddedDbBusyError } from './db/embedded-lock.ts';
import { migrate } from './db/migrate.ts';
import { buildApp } from './http/app.ts';
import { serve } from './http/serve.ts';
import { createLogger } from './lib/logger.ts';
import { createTxtResolver } from './lib/txt-resolver.ts';
import { scheduleMaintenance } from './maintenance.ts';
import { issueSetupToken } from './domain/provisioning/first-run.ts';
import { warnUnknownTrustedOrgs } from './sso/trust.ts';
import { startWebhookWorker } from './events/worker.ts';
import { serveMetrics, useDatabaseForMetrics } from './http/metrics.ts';

// Start-up: configuration (validated once; an invalid value stops the process with the
// key and what was expected), database, migrations, then listen. SIGTERM/SIGINT stop
// accepting connections, let in-flight requests finish, then close the database.

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err: unknown) {
    if (err instanceof ConfigError) {
      process.stderr.write(`orgbridge: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let db;
  try {
    db = openDb({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, poolMax: config.databasePoolMax });
  } catch (err: unknown) {
    if (err instanceof EmbeddedDbBusyError) {
      logger.fatal(err.message);
      process.exit(2);
    }
    throw err;
  }
  const ran = await migrate(db);
  logger.info({ migrations: ran, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})` }, 'database ready');
  await warnUnknownTrustedOrgs(db, config, logger);

  const resolver = createTxtResolver({ servers: config.domains.dnsServers, timeoutMs: config.domains.dnsTimeoutMs });
  const app = buildApp({ db, config, logger, txtResolver: resolver });
  const serving = await serve(app, { port: config.port, host: config.host, shutdownTimeoutMs: config.shutdownTimeoutMs }, logger);
  logger.info({ address: serving.server.address(), publicUrl: config.publicUrl }, 'orgbridge listening');

  // First run: an empty deployment gets a one-time setup link (src/domain/provisioning/first-run.ts).
  const setupToken = await issueSetupToken(db, new Date());
  if (setupToken) {
    const setupUrl = new URL(`/auth/setup/${setupToken}`, config.publicUrl).href;
    logger.warn({ setupUrl }, 'this deployment is empty: open the one-time setup link to create the first organization and its admin');
    process.stdout.write(`\n  orgbridge is empty. Set it up (one-time link, valid 24 hours):\n\n    ${setupUrl}\n\n`);
  }

  const stopMaintenance = scheduleMaintenance(db, logger, { resolver });
  const worker = config.webhooks.worker ? startWebhookWorker(db, config.webhooks, logger) : null;
  let metricsServer: import('node:http').Server | null = null;
  if (config.metrics.port !== null) {
    useDatabaseForMetrics(db);
    metricsServer = await serveMetrics(config.metrics);
    logger.info({ address: metricsServer.address() }, 'metrics listening');
  }

  const shutdown = async (signal: string) => {
    stopMaintenance();
    metricsServer?.close();
    await worker?.stop();
    await serving.stop(signal);
    await db.destroy().catch((err: unknown) => logger.error({ err }, 'closing the database failed'));
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`orgbridge: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
