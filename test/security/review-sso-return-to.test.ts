import { describe, expect, test } from 'vitest';
import { returnToOrDefault, safeReturnTo } from '../../src/sso/return-to.ts';

// Review (sign-in): returnTo is checked, then resolved against the public URL; dot
// segments in front of a double slash resolve to a protocol-relative path ("/.//evil"
// → "//evil"), which a browser follows to another host. The LDAP form's POST redirects
// to what one pass of returnToOrDefault gives, so the answer itself must be safe.

const PUBLIC = 'https://orgbridge.acme.example';

describe('returnTo never resolves to another host through dot segments', () => {
  test.each([
    '/.//evil.example',
    '/..//evil.example/x',
    '/a/..//evil.example',
    '/%2e%2e//evil.example',
    '/admin/%2E%2E//evil.example',
    '/././/evil.example',
  ])('%j is refused', (input) => {
    expect(safeReturnTo(input, PUBLIC)).toBeNull();
    expect(returnToOrDefault(input, PUBLIC)).toBe('/admin');
  });

  test('what it keeps is a path that passes again unchanged', () => {
    for (const input of ['/a/../b', '/teams/42?tab=members#top', '/x/./y', '/x/..%2F%2Fevil.example']) {
      const once = safeReturnTo(input, PUBLIC);
      expect(once).not.toBeNull();
      expect(once!.startsWith('/') && !once!.startsWith('//')).toBe(true);
      expect(safeReturnTo(once, PUBLIC)).toBe(once);
    }
  });
});
