import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { afterAll, beforeAll } from 'vitest';
import { openDb, type Db } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { runInTransaction, type Tx } from '../../src/domain/context.ts';
import { testActor } from './factories.ts';

// A fresh, migrated database for one test file. With DATABASE_URL (CI) it is a new
// schema in the real PostgreSQL, dropped afterwards; without it, an in-memory PGlite.

export interface TestDb {
  db: Db;
  /** Set on PostgreSQL only: the schema this file works in. */
  schema?: string;
  /** Opens another pool on the same schema (concurrency tests need separate pools). */
  openAnother(poolMax?: number): Db;
  close(): Promise<void>;
}

export const onPostgres = (): boolean => Boolean(process.env.DATABASE_URL);

/** `migrated: false` leaves the schema empty (a migration test runs the migrations itself). */
export async function createTestDb(poolMax = 10, opts: { migrated?: boolean } = {}): Promise<TestDb> {
  const url = process.env.DATABASE_URL;
  const migrated = opts.migrated ?? true;
  if (!url) {
    const db = openDb({ dataDir: 'memory://' });
    if (migrated) await migrate(db);
    return { db, openAnother: () => db, close: () => db.destroy() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  await admin.destroy();
  const open = (max: number) => openDb({ databaseUrl: url, dataDir: 'unused', schema, poolMax: max });
  const db = open(poolMax);
  if (migrated) await migrate(db);
  const extra: Db[] = [];
  return {
    db,
    schema,
    openAnother(max = 10) {
      const d = open(max);
      extra.push(d);
      return d;
    },
    async close() {
      await Promise.all(extra.map((d) => d.destroy()));
      await db.raw(`drop schema ${schema} cascade`);
      await db.destroy();
    },
  };
}

/**
 * Registers a fresh database for the calling test file (created before its tests, closed
 * after them) and returns accessors for it plus `run`, a transaction as the test actor.
 */
export function useTestDb(poolMax = 10) {
  let current: TestDb | undefined;
  beforeAll(async () => {
    current = await createTestDb(poolMax);
  });
  afterAll(async () => {
    await current?.close();
  });
  const need = (): TestDb => {
    if (!current) throw new Error('useTestDb: the database exists only inside tests and hooks');
    return current;
  };
  return {
    get db(): Db {
      return need().db;
    },
    get testDb(): TestDb {
      return need();
    },
    run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return runInTransaction(need().db, testActor, fn);
    },
  };
}
