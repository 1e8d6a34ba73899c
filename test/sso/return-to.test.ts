import { describe, expect, test } from 'vitest';
import { returnToOrDefault, safeReturnTo } from '../../src/sso/return-to.ts';

const PUBLIC = 'https://orgbridge.acme.example';

describe('returnTo after sign-in: same-origin paths only', () => {
  test.each([
    ['/auth/me', '/auth/me'],
    ['/teams/42?tab=members#top', '/teams/42?tab=members#top'],
    ['/a/../b', '/b'],
    ['/search?q=%2F%2Fnot-a-host', '/search?q=%2F%2Fnot-a-host'],
  ])('%s is kept', (input, expected) => {
    expect(safeReturnTo(input, PUBLIC)).toBe(expected);
  });

  test.each([
    '//evil.example',
    '//evil.example/path',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    'https://a@evil.example',
    'https://evil.example/',
    'https://orgbridge.acme.example@evil.example/',
    'http://orgbridge.acme.example/', // another origin (scheme)
    'javascript:alert(1)',
    'data:text/html,hi',
    'evil.example',
    '%2F%2Fevil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '%2F%5Cevil.example',
    '/%252F%252Fevil.example',
    '/%25252F%25252Fevil.example',
    '/\t/evil.example',
    '/%09/evil.example',
    '/%0d%0aSet-Cookie:x=1',
    '/%E0%A4%A', // undecodable
    '',
    '/'.padEnd(3000, 'a'),
  ])('%j is refused', (input) => {
    expect(safeReturnTo(input, PUBLIC)).toBeNull();
  });

  test('non-strings are refused and the default is the dashboard', () => {
    expect(safeReturnTo(['/a'], PUBLIC)).toBeNull();
    expect(safeReturnTo({ a: 1 }, PUBLIC)).toBeNull();
    expect(returnToOrDefault(undefined, PUBLIC)).toBe('/admin');
    expect(returnToOrDefault('//evil.example', PUBLIC)).toBe('/admin');
  });
});
