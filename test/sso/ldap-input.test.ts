import { describe, expect, test } from 'vitest';
import { allowedByGroups } from '../../src/sso/ldap/directory.ts';
import { canonicalDn } from '../../src/lib/dn.ts';
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

describe('the group allow-list', () => {
  test('allowed by the whole DN, however spelled; an empty list allows everyone', () => {
    const groups = ['cn=ops,ou=groups,dc=example,dc=org'];
    expect(allowedByGroups([], [])).toBe(true);
    expect(allowedByGroups(['CN=Ops, OU=Groups,DC=example,DC=org'], groups)).toBe(true);
    expect(allowedByGroups(['cn=platform,ou=groups,dc=example,dc=org'], groups)).toBe(false);
    expect(allowedByGroups(['cn=ops,ou=groups,dc=example,dc=org'], [])).toBe(false);
    expect(canonicalDn(groups[0]!)).not.toBeNull();
  });

  test('a same-named group in another OU, or a bare name, never allows', () => {
    expect(allowedByGroups(['cn=ops,ou=groups,dc=example,dc=org'], ['cn=ops,ou=partners,dc=example,dc=org'])).toBe(false);
    expect(allowedByGroups(['ops'], ['cn=ops,ou=groups,dc=example,dc=org'])).toBe(false);
    expect(allowedByGroups(['cn=ops,ou=groups,dc=example,dc=org'], ['ops', 'not a dn'])).toBe(false);
  });
});
