import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Reads migrations/*.ts in name order; they are TypeScript modules run through tsx. */
class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d.*\.ts$/.test(f))
      .sort();
  }
  getMigrationName(name: string): string {
    return name;
  }
  async getMigration(name: string): Promise<Migration> {
    return (await import(pathToFileURL(join(MIGRATIONS_DIR, name)).href)) as Migration;
  }
}

const CONFIG = () => ({ migrationSource: new DirectoryMigrationSource(), tableName: 'knex_migrations' });

/**
 * Runs migrations one by one up to and including `last` (a file name): for tests that
 * load data written by an older schema and then migrate it.
 */
export async function migrateUpTo(db: Knex, last: string): Promise<string[]> {
  const ran: string[] = [];
  const names = await new DirectoryMigrationSource().getMigrations();
  if (!names.includes(last)) throw new Error(`no migration named ${last}`);
  while (!ran.includes(last)) {
    const [, step] = (await db.migrate.up(CONFIG())) as [number, string[]];
    if (!step.length) break;
    ran.push(...step);
  }
  return ran;
}

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrate(db: Knex): Promise<string[]> {
  const [, ran] = (await db.migrate.latest(CONFIG())) as [number, string[]];
  return ran;
}
