import { describe, expect, it } from 'vitest';
import { useCli } from '../support/cli.ts';

// Security review (CLI): an id argument that is 36 characters of hex and dashes but not a
// UUID reached PostgreSQL (invalid input syntax for type uuid) and came back as an
// "internal error" (exit 70) instead of the usage mistake it is (exit 2).

const run = useCli('operator');
const cli = run.cli;

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
