import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.ts';
import { parseFilter } from '../../src/scim/filter/parse.ts';
import { compileFilter } from '../../src/scim/filter/sql.ts';
import { GROUP_COLUMNS } from '../../src/scim/resources/groups/columns.ts';
import { USER_COLUMNS } from '../../src/scim/resources/users/columns.ts';
import { GROUP, USER } from '../../src/scim/schemas/index.ts';

const L = { maxLength: 4096, maxDepth: 8 };
const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// filter → SQL condition + bindings, through the whitelist (RFC 7644 §3.4.2.2 operators).
const USER_CASES: [string, string, unknown[]][] = [
  ['userName eq "Bjensen"', 'u.user_name_key = lower(normalize(?, NFKC))', ['Bjensen']],
  ['USERNAME EQ "x"', 'u.user_name_key = lower(normalize(?, NFKC))', ['x']],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', "u.user_name_key like ? escape '\\'", ['j%']],
  ['userName co "50%_"', "u.user_name_key like ? escape '\\'", ['%50\\%\\_%']],
  ['userName ew "@EXAMPLE.com"', "u.user_name_key like ? escape '\\'", ['%@example.com']],
  ['userName ne "a"', 'u.user_name_key is distinct from lower(normalize(?, NFKC))', ['a']],
  ['userName gt "m"', 'u.user_name_key > lower(normalize(?, NFKC))', ['m']],
  ['externalId eq "AbC"', 'm.external_id = ?', ['AbC']],
  ['displayName eq "Babs Jensen"', 'lower(u.display_name) = lower(?)', ['Babs Jensen']],
  ['name.familyName co "O\'Malley"', "lower(u.family_name) like ? escape '\\'", ["%o'malley%"]],
  ['title pr', "(u.title is not null and u.title <> '')", []],
  ['title eq null', 'u.title is null', []],
  ['active eq true', "m.status <> 'deactivated'", []],
  ['active eq false', "m.status = 'deactivated'", []],
  ['active ne true', "m.status = 'deactivated'", []],
  ['emails.value eq "A@B.c"', 'exists (select 1 from user_emails e where e.user_id = u.id and e.value_key = lower(normalize(?, NFKC)))', ['A@B.c']],
  ['emails eq "a@b.c"', 'exists (select 1 from user_emails e where e.user_id = u.id and e.value_key = lower(normalize(?, NFKC)))', ['a@b.c']],
  ['emails pr', "exists (select 1 from user_emails e where e.user_id = u.id and (e.value_key is not null and e.value_key <> ''))", []],
  [
    'emails[type eq "work" and value co "@example.com"]',
    "exists (select 1 from user_emails e where e.user_id = u.id and (lower(e.type) = lower(?) and e.value_key like ? escape '\\'))",
    ['work', '%@example.com%'],
  ],
  // Entra ID: a value path followed by a sub-attribute comparison, on one element.
  [
    'emails[type eq "work"].value eq "User@Contoso.com"',
    'exists (select 1 from user_emails e where e.user_id = u.id and (lower(e.type) = lower(?) and e.value_key = lower(normalize(?, NFKC))))',
    ['work', 'User@Contoso.com'],
  ],
  [
    'emails[type eq "work" or primary eq true].display pr',
    "exists (select 1 from user_emails e where e.user_id = u.id and ((lower(e.type) = lower(?) or e.\"primary\" = ?) and (e.display is not null and e.display <> '')))",
    ['work', true],
  ],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', 'greatest(m.updated_at, u.updated_at) > ?::timestamptz', ['2011-05-13T04:42:34.000Z']],
  ['meta.created le "2011-05-13T04:42:34Z"', 'm.created_at <= ?::timestamptz', ['2011-05-13T04:42:34.000Z']],
  ['id eq "2819c223-7f76-453a-919d-413861904646"', 'u.id = ?', ['2819c223-7f76-453a-919d-413861904646']],
  ['id eq "not-a-uuid"', 'false', []],
  [`${E}:department eq "R&D"`, "lower((u.profile #>> '{enterprise,department}')) = lower(?)", ['R&D']],
  [`${E}:manager.value eq "m1"`, "lower((u.profile #>> '{enterprise,manager,value}')) = lower(?)", ['m1']],
  ['organizationRole eq "admin"', 'lower(m.org_role) = lower(?)', ['admin']],
  [
    'userName eq "a" or userName eq "b" and title pr',
    "(u.user_name_key = lower(normalize(?, NFKC)) or (u.user_name_key = lower(normalize(?, NFKC)) and (u.title is not null and u.title <> '')))",
    ['a', 'b'],
  ],
  [
    '(userName eq "a" or userName eq "b") and title pr',
    "((u.user_name_key = lower(normalize(?, NFKC)) or u.user_name_key = lower(normalize(?, NFKC))) and (u.title is not null and u.title <> ''))",
    ['a', 'b'],
  ],
  ['not (title pr)', "(not coalesce((u.title is not null and u.title <> ''), false))", []],
  ['title  eq   "two  spaces"', 'lower(u.title) = lower(?)', ['two  spaces']],
];

describe('filter → SQL (Users)', () => {
  for (const [filter, sql, bindings] of USER_CASES) {
    it(filter, () => {
      expect(compileFilter(parseFilter(filter, L), USER, USER_COLUMNS)).toEqual({ sql, bindings });
    });
  }
});

describe('filter → SQL (Groups)', () => {
  it.each([
    ['displayName eq "Data Science"', 't.name_key = lower(normalize(?, NFKC))', ['Data Science']],
    ['members[value eq "2819c223-7f76-453a-919d-413861904646"]', 'exists (select 1 from team_members tm join users mu on mu.id = tm.user_id where tm.team_id = t.id and tm.user_id = ?)', ['2819c223-7f76-453a-919d-413861904646']],
    ['externalId eq "x" and displayName sw "d"', "(t.external_id = ? and t.name_key like ? escape '\\')", ['x', 'd%']],
  ] as [string, string, unknown[]][])('%s', (filter, sql, bindings) => {
    expect(compileFilter(parseFilter(filter, L), GROUP, GROUP_COLUMNS)).toEqual({ sql, bindings });
  });
});

describe('filters refused with invalidFilter', () => {
  it.each([
    ['', 'empty'],
    ['userName', 'no operator'],
    ['userName eq', 'no value'],
    ['userName eq "unterminated', 'unterminated string'],
    ['userName like "a"', 'unknown operator'],
    ['nosuch eq "a"', 'unknown attribute'],
    ['password eq "a"', 'known but not filterable'],
    ['emails[nosub eq "a"]', 'unknown sub-attribute'],
    ['emails[type eq "work"].value eq work', 'cannot be parsed'],
    ['emails[type eq "work"].value eq "a".primary eq true', 'cannot be parsed'],
    ['title[value eq "a"]', 'value path on a single-valued attribute'],
    ['active gt true', 'ordering on a boolean'],
    ['active eq "yes"', 'not a boolean'],
    ['meta.created gt "not a date"', 'not a dateTime'],
    ['urn:nope:User:userName eq "a"', 'unknown schema'],
    ['((((((((((userName pr))))))))))', 'too deep'],
  ])('%s (%s)', (filter) => {
    let err: unknown;
    try {
      compileFilter(parseFilter(filter, L), USER, USER_COLUMNS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScimError);
    expect(err).toMatchObject({ status: 400, scimType: 'invalidFilter' });
  });
});

describe('parsed shapes are reused with their own literals', () => {
  it('fills each literal back in text order, whatever it contains', () => {
    const a = parseFilter('userName eq "a" and (title co "x) or (y" or emails[type eq "wo\\"rk"])', L);
    const b = parseFilter('userName eq "b" and (title co "and not (" or emails[type eq "home"])', L);
    expect(a).toEqual({
      kind: 'and',
      left: { kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'a' },
      right: {
        kind: 'or',
        left: { kind: 'compare', path: { attr: 'title' }, op: 'co', value: 'x) or (y' },
        right: { kind: 'valuePath', path: { attr: 'emails' }, filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'wo"rk' } },
      },
    });
    expect(b).toMatchObject({ left: { value: 'b' }, right: { left: { value: 'and not (' }, right: { filter: { value: 'home' } } } });
    // numbers and booleans are part of the shape
    expect(parseFilter('x eq 1', L)).toMatchObject({ value: 1 });
    expect(parseFilter('x eq 2', L)).toMatchObject({ value: 2 });
  });

  it('still refuses a literal with an invalid escape', () => {
    expect(() => parseFilter('userName eq "bad \\q escape"', L)).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
  });
});
