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

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrate(db: Knex): Promise<string[]> {
  const [, ran] = (await db.migrate.latest({
    migrationSource: new DirectoryMigrationSource(),
    tableName: 'knex_migrations',
  })) as [number, string[]];
  return ran;
}
