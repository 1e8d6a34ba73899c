import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { lockEmbeddedDir } from './embedded-lock.ts';

export type Db = Knex;
export type Trx = Knex.Transaction;
/** Either the pool or a transaction: queries that may run inside or outside one. */
export type Conn = Knex | Knex.Transaction;

export interface DbOptions {
  /** postgres://… ; when absent the embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files; 'memory://' keeps nothing (tests). */
  dataDir: string;
  /** PostgreSQL schema to work in (tests isolate each file in its own). */
  schema?: string | undefined;
  poolMax?: number | undefined;
}

// node-postgres returns bigint (int8) as a string; counts and audit ids fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// Dates as they are stored (YYYY-MM-DD), not shifted into local midnight.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function openDb(opts: DbOptions): Db {
  if (opts.databaseUrl) {
    return knexFactory({
      client: 'pg',
      connection: opts.databaseUrl,
      searchPath: opts.schema ? [opts.schema] : undefined,
      pool: { min: 0, max: opts.poolMax ?? 10 },
      acquireConnectionTimeout: 10_000,
    });
  }
  const memory = opts.dataDir === 'memory://';
  const dir = memory ? undefined : resolve(opts.dataDir, 'pglite');
  let release: (() => void) | undefined;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    release = lockEmbeddedDir(resolve(opts.dataDir));
  }
  const db = knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: dir ? { filename: dir } : {},
    searchPath: opts.schema ? [opts.schema] : undefined,
  } as Knex.Config);
  if (release) {
    // knex.destroy() ends in client.destroy(); release the directory lock after it.
    const client = db.client as { destroy: (cb?: unknown) => Promise<void> };
    const destroy = client.destroy.bind(client);
    client.destroy = async (cb?: unknown) => {
      try {
        await destroy(cb);
      } finally {
        release?.();
      }
    };
  }
  return db;
}

export function isEmbedded(db: Db): boolean {
  return db.client.config.client !== 'pg';
}
