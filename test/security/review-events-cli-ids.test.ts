import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

// Security review (CLI): an id argument that is 36 characters of hex and dashes but not a
// UUID reached PostgreSQL (invalid input syntax for type uuid) and came back as an
// "internal error" (exit 70) instead of the usage mistake it is (exit 2).

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { USER: 'operator' }, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, { db: t.db, config: loadConfig({}) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('CLI ids', () => {
  it('a malformed token or credential id is a usage mistake', async () => {
    for (const bad of ['-'.repeat(36), 'abcdef0123456789abcdef0123456789abcd', '0123-4567-89ab-cdef-0123-4567-89abcd']) {
      for (const cmd of ['scim-token', 'platform-credential']) {
        const r = await cli(cmd, 'revoke', bad);
        expect(r.code, `${cmd} ${bad}: ${r.stderr}`).toBe(2);
        expect(r.stderr).not.toMatch(/internal error/);
      }
    }
  });
});
