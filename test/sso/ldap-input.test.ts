import { describe, expect, test } from 'vitest';
import { allowedByGroups } from '../../src/sso/ldap/directory.ts';
import { canonicalDn, groupName, parseDn } from '../../src/sso/ldap/dn.ts';
import { escapeFilterValue, ldapLoginForm, userFilter } from '../../src/sso/ldap/input.ts';

describe('RFC 4515 filter escaping', () => {
  test.each([
    ['alice', 'alice'],
    ['*', '\\2a'],
    ['a)(uid=*', 'a\\29\\28uid=\\2a'],
    ['back\\slash', 'back\\5cslash'],
    ['nul\u0000', 'nul\\00'],
    ['Doe, Jane', 'Doe, Jane'],
    ['jürgen', 'jürgen'],
  ])('%j → %j', (input, expected) => {
    expect(escapeFilterValue(input)).toBe(expected);
  });

  test('the template gets the escaped value, and $-patterns are not interpreted', () => {
    expect(userFilter('(&(objectClass=person)(uid={{username}}))', 'a*')).toBe('(&(objectClass=person)(uid=a\\2a))');
    expect(userFilter('(uid={{username}})', "$&$'")).toBe("(uid=$&$')");
  });
});

describe('the LDAP login form', () => {
  test.each([
    [{ username: 'alice', password: 'pw' }, true],
    [{ username: '  alice ', password: 'pw' }, true],
    [{ username: 'alice', password: '' }, false],
    [{ username: 'alice', password: '   ' }, false],
    [{ username: '', password: 'pw' }, false],
    [{ username: '*', password: 'pw' }, false],
    [{ username: 'a)(b', password: 'pw' }, false],
    [{ username: 'a\u0000', password: 'pw' }, false],
    [{ username: 'a\\', password: 'pw' }, false],
    [{ username: ['alice'], password: 'pw' }, false],
    [{ username: 'alice', password: ['pw'] }, false],
    [{ username: 'alice' }, false],
    [{}, false],
  ])('%j → accepted: %s', (form, ok) => {
    expect(ldapLoginForm.safeParse(form).success).toBe(ok);
  });
});

describe('DNs and the group allow-list', () => {
  test('escaped and hex-escaped DNs compare equal', () => {
    expect(canonicalDn('cn=Doe\\, Jane (Ops),ou=people,dc=example,dc=org')).toBe(canonicalDn('CN=Doe\\2C Jane (Ops), OU=People,DC=example,DC=org'));
    expect(parseDn('cn=Back\\\\slash\\, Dan (QA),ou=people')).toEqual([
      { type: 'cn', value: 'Back\\slash, Dan (QA)' },
      { type: 'ou', value: 'people' },
    ]);
    expect(groupName('cn=ops,ou=groups,dc=example,dc=org')).toBe('ops');
    expect(groupName('platform')).toBe('platform');
  });

  test('allowed by DN or by name; an empty list allows everyone', () => {
    const groups = ['cn=ops,ou=groups,dc=example,dc=org'];
    expect(allowedByGroups([], [])).toBe(true);
    expect(allowedByGroups(['ops'], groups)).toBe(true);
    expect(allowedByGroups(['CN=Ops,OU=Groups,DC=example,DC=org'], groups)).toBe(true);
    expect(allowedByGroups(['platform'], groups)).toBe(false);
    expect(allowedByGroups(['cn=ops,ou=other,dc=example,dc=org'], groups)).toBe(false);
    expect(allowedByGroups(['ops'], [])).toBe(false);
  });
});
