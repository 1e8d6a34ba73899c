import { afterAll, beforeAll } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createTestDb, type TestDb } from './db.ts';

/**
 * The CLI in-process for a test file: its own database, and `cli(...argv)` answering the
 * exit code and what was written (USER is the audited operator name).
 */
export function useCli(user = 'tester') {
  const run = {
    t: undefined as unknown as TestDb,
    async cli(...argv: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { USER: user }, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, { db: run.t.db, config: loadConfig({}) });
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    },
  };
  beforeAll(async () => {
    run.t = await createTestDb();
  });
  afterAll(async () => {
    await run.t?.close();
  });
  return run;
}
