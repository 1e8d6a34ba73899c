import { describe, expect, test } from 'vitest';
import { canonicalDn, escapeDnValue, formatDn, parseDn, sameDn } from '../../src/lib/dn.ts';

// RFC 4514 DNs compared whole (src/lib/dn.ts): what LDAP group allow-lists and LDAP role
// groups rely on.

describe('parsing', () => {
  test('escapes (\\, and \\2C, \\\\, hex UTF-8) are resolved', () => {
    expect(parseDn('cn=Back\\\\slash\\, Dan (QA),ou=people')).toEqual([
      [{ type: 'cn', value: 'Back\\slash, Dan (QA)', hex: false }],
      [{ type: 'ou', value: 'people', hex: false }],
    ]);
    expect(parseDn('cn=Doe\\2C Jane,dc=x')![0]![0]!.value).toBe('Doe, Jane');
    expect(parseDn('cn=\\C3\\A9quipe,dc=x')![0]![0]!.value).toBe('équipe');
  });

  test('multi-valued RDNs, quoted values, OIDs, spaces around separators', () => {
    expect(parseDn('cn=a + uid=b , ou = x')).toEqual([
      [{ type: 'cn', value: 'a', hex: false }, { type: 'uid', value: 'b', hex: false }],
      [{ type: 'ou', value: 'x', hex: false }],
    ]);
    expect(parseDn('cn="Doe, Jane",dc=x')![0]![0]!.value).toBe('Doe, Jane');
    expect(parseDn('2.5.4.3=ops,0.9.2342.19200300.100.1.25=org')!.map((r) => r[0]!.type)).toEqual(['cn', 'dc']);
    expect(parseDn('cn=#04024869,dc=x')![0]![0]).toEqual({ type: 'cn', value: '04024869', hex: true });
  });

  test.each(['ops', '', '   ', 'cn=ops,', '=ops', 'cn=a\\', 'cn=\\C3,dc=x', 'cn=a"b', 'c n=x', 'cn=#123'])('%j is not a DN', (dn) => {
    expect(parseDn(dn)).toBeNull();
    expect(canonicalDn(dn)).toBeNull();
    expect(formatDn(dn)).toBeNull();
  });
});

describe('comparing', () => {
  test.each([
    ['cn=Doe\\, Jane (Ops),ou=people,dc=example,dc=org', 'CN=Doe\\2C Jane (Ops), OU=People,DC=example,DC=org'],
    ['cn=ML Admins,ou=Groups,dc=corp,dc=example', 'CN=ml admins,OU=groups,DC=CORP,DC=EXAMPLE'],
    ['cn=a+uid=b,ou=x', 'uid=B+cn=A,ou=X'],
    ['cn=ops,dc=org', '2.5.4.3=ops,0.9.2342.19200300.100.1.25=org'],
    ['cn=a  b,dc=x', 'cn=a b ,dc=x'],
    ['cn="Doe, Jane",dc=x', 'cn=Doe\\, Jane,dc=x'],
    ['cn=équipe,dc=x', 'cn=\\C3\\89QUIPE,dc=x'],
  ])('%s names the same entry as %s', (a, b) => {
    expect(sameDn(a, b)).toBe(true);
    expect(canonicalDn(a)).toBe(canonicalDn(b));
  });

  test.each([
    ['cn=ops,ou=groups,dc=example,dc=org', 'cn=ops,ou=partners,dc=example,dc=org'],
    ['cn=ops,ou=groups,dc=example,dc=org', 'cn=ops'],
    ['cn=ops,ou=groups,dc=example,dc=org', 'ou=groups,dc=example,dc=org'],
    ['cn=a\\,b,dc=x', 'cn=a,b=,dc=x'],
    ['cn=a+uid=b,ou=x', 'cn=a,uid=b,ou=x'],
    ['cn=#616263,dc=x', 'cn=\\#616263,dc=x'],
  ])('%s is not %s', (a, b) => {
    expect(sameDn(a, b)).toBe(false);
  });

  test('nothing equals a string that is not a DN, not even itself', () => {
    expect(sameDn('ops', 'ops')).toBe(false);
  });
});

describe('writing', () => {
  test('the canonical form re-parses to itself; an escaped comma stays one value', () => {
    for (const dn of ['cn=Doe\\, Jane (Ops),ou=people,dc=example,dc=org', 'cn=Back\\\\slash,dc=x', 'cn=\\#hash,dc=x', 'cn=a\\+b,dc=x']) {
      const c = canonicalDn(dn)!;
      expect(canonicalDn(c)).toBe(c);
      expect(parseDn(c)).toHaveLength(parseDn(dn)!.length);
    }
  });

  test('formatDn keeps the values’ case and tidies the rest', () => {
    expect(formatDn('CN=ML Admins , OU=Groups,DC=corp,DC=example')).toBe('cn=ML Admins,ou=Groups,dc=corp,dc=example');
    expect(formatDn('cn=Doe\\2C Jane,dc=x')).toBe('cn=Doe\\, Jane,dc=x');
  });

  test.each([
    ['a,b', 'a\\,b'],
    ['#x', '\\#x'],
    [' x ', '\\ x\\ '],
    ['a+b;c<d>e"f\\g', 'a\\+b\\;c\\<d\\>e\\"f\\\\g'],
    ['nul\u0000', 'nul\\00'],
  ])('escapeDnValue(%j) = %j', (v, escaped) => {
    expect(escapeDnValue(v)).toBe(escaped);
  });
});
