import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';

// The migration to verified domains, on a database that already has claims: they stay
// verified ('operator'), so a running deployment keeps capturing whom it captured.

const MIGRATIONS = join(import.meta.dirname, '..', '..', 'migrations');
const VERIFICATION = '20261207_006_domain_verification.ts';

/** The migrations that came before domain verification, as knex takes them. */
const before: Knex.MigrationSource<string> = {
  getMigrations: async () =>
    readdirSync(MIGRATIONS)
      .filter((f) => /^\d.*\.ts$/.test(f) && f < VERIFICATION)
      .sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => (await import(pathToFileURL(join(MIGRATIONS, name)).href)) as Knex.Migration,
};

let db: Db;
let dropSchema: (() => Promise<void>) | undefined;
beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (!url) {
    db = openDb({ dataDir: 'memory://' });
    return;
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  await admin.destroy();
  db = openDb({ databaseUrl: url, dataDir: 'unused', schema, poolMax: 2 });
  dropSchema = async () => {
    await db.raw(`drop schema ${schema} cascade`);
  };
});
afterAll(async () => {
  await dropSchema?.();
  await db?.destroy();
});

it('existing claims become verified by the operator, dated from their claim; new ones start pending', async () => {
  await db.migrate.latest({ migrationSource: before, tableName: 'knex_migrations' });
  const orgId = randomUUID();
  const claimedAt = new Date('2026-11-01T09:00:00Z');
  await db('organizations').insert({ id: orgId, name: 'Legacy', slug: 'legacy' });
  await db('org_domains').insert({ domain: 'legacy.example', org_id: orgId, created_at: claimedAt });

  expect(await migrate(db)).toContain(VERIFICATION);

  const row = await db('org_domains').where({ domain: 'legacy.example' }).first();
  expect(row).toMatchObject({ status: 'verified', verified_by: 'operator', verified_at: claimedAt, expires_at: null, last_checked_at: null });
  expect(row.challenge_token).toMatch(/^[0-9a-f]{32}$/);
  // The new rules hold in the database itself.
  const other = randomUUID();
  await db('organizations').insert({ id: other, name: 'Other', slug: 'other' });
  await expect(db('org_domains').insert({ domain: 'legacy.example', org_id: other, challenge_token: 't', status: 'verified', verified_at: claimedAt, verified_by: 'dns' })).rejects.toMatchObject({
    code: '23505',
  });
  // A pending claim needs an expiry; another organization may hold one beside the verified claim.
  await expect(db('org_domains').insert({ domain: 'legacy.example', org_id: other, challenge_token: 't' })).rejects.toMatchObject({ code: '23514' });
  await db('org_domains').insert({ domain: 'legacy.example', org_id: other, challenge_token: 't', expires_at: new Date('2026-12-01T00:00:00Z') });
  expect(await db('org_domains').where({ domain: 'legacy.example' }).orderBy('status').pluck('status')).toEqual(['pending', 'verified']);
});
