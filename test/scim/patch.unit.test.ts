import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.ts';
import { applyPatch } from '../../src/scim/patch/apply.ts';
import { normalisePatchRequest } from '../../src/scim/patch/normalise.ts';
import { splitMemberOps, foldMemberOps } from '../../src/scim/resources/groups/members.ts';
import { GROUP, USER } from '../../src/scim/schemas/index.ts';

// PATCH fixture tables {source, ops, target}: normalised at the seam, applied in memory.

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const O = 'urn:orgbridge:params:scim:schemas:extension:orgbridge:2.0:User';
const LIMITS = { maxLength: 4096, maxDepth: 8, maxOperations: 100 };
const ID = '2819c223-7f76-453a-919d-413861904646';

const base = () => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: ID,
  userName: 'bjensen@example.com',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  [O]: { organizationRole: 'member', modelsSeat: 'full', weaveAccess: 'full', teamRoles: [] },
});

type Fixture = { name: string; source?: Record<string, unknown>; ops: unknown[]; target: (s: Record<string, any>) => Record<string, unknown> };

const FIXTURES: Fixture[] = [
  { name: 'replace a simple attribute', ops: [{ op: 'replace', path: 'displayName', value: 'Babs' }], target: (s) => ({ ...s, displayName: 'Babs' }) },
  { name: 'Entra capitalised op', ops: [{ op: 'Replace', path: 'title', value: 'CEO' }], target: (s) => ({ ...s, title: 'CEO' }) },
  { name: 'Entra "False" string', ops: [{ op: 'Replace', path: 'active', value: 'False' }], target: (s) => ({ ...s, active: false }) },
  { name: 'Entra "True" string via path-less value', ops: [{ op: 'Replace', value: { active: 'True' } }], source: { ...base(), active: false }, target: (s) => ({ ...s, active: true }) },
  { name: 'Okta path-less active:false', ops: [{ op: 'replace', value: { active: false } }], target: (s) => ({ ...s, active: false }) },
  { name: 'sub-attribute path', ops: [{ op: 'replace', path: 'name.familyName', value: 'Smith' }], target: (s) => ({ ...s, name: { ...s.name, familyName: 'Smith' } }) },
  { name: 'case-insensitive attribute names', ops: [{ op: 'replace', path: 'NAME.GIVENNAME', value: 'B' }], target: (s) => ({ ...s, name: { ...s.name, givenName: 'B' } }) },
  { name: 'value filter + sub-attribute', ops: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }], target: (s) => ({ ...s, emails: [{ ...s.emails[0], value: 'new@example.com' }, s.emails[1]] }) },
  { name: 'value filter, no match, Entra Add creates it', ops: [{ op: 'Add', path: 'emails[type eq "other"].value', value: 'o@example.com' }], target: (s) => ({ ...s, emails: [...s.emails, { type: 'other', value: 'o@example.com' }] }) },
  { name: 'remove by value filter', ops: [{ op: 'remove', path: 'emails[type eq "home"]' }], target: (s) => ({ ...s, emails: [s.emails[0]] }) },
  { name: 'remove sub-attribute of filtered values', ops: [{ op: 'remove', path: 'emails[type eq "home"].type' }], target: (s) => ({ ...s, emails: [s.emails[0], { value: 'babs@jensen.org' }] }) },
  { name: 'add to a multi-valued attribute (dedupe, one primary)', ops: [{ op: 'add', path: 'emails', value: [{ value: 'BJENSEN@example.com', type: 'work' }, { value: 'x@y.z', primary: true }] }], target: (s) => ({ ...s, emails: [{ value: 'BJENSEN@example.com', type: 'work', primary: false }, s.emails[1], { value: 'x@y.z', primary: true }] }) },
  { name: 'replace a multi-valued attribute wholesale', ops: [{ op: 'replace', path: 'emails', value: [{ value: 'only@x.y' }] }], target: (s) => ({ ...s, emails: [{ value: 'only@x.y' }] }) },
  // RFC 7644 §3.5.2.2: all values removed; an empty list persists as such (absent would mean unchanged).
  { name: 'remove an attribute', ops: [{ op: 'remove', path: 'emails' }], target: (s) => ({ ...s, emails: [] }) },
  { name: 'remove a single-valued attribute', ops: [{ op: 'remove', path: 'name' }], target: (s) => { const { name: _n, ...rest } = s; return rest; } },
  { name: 'path-less add with dotted and URN-qualified keys (Entra)', ops: [{ op: 'Add', value: { 'name.middleName': 'M', [`${E}:department`]: 'R&D', [`${E}:employeeNumber`]: '42' } }], target: (s) => ({ ...s, name: { ...s.name, middleName: 'M' }, [E]: { department: 'R&D', employeeNumber: '42' } }) },
  { name: 'extension URN path', ops: [{ op: 'add', path: `${E}:costCenter`, value: 'CC1' }], target: (s) => ({ ...s, [E]: { costCenter: 'CC1' } }) },
  { name: 'whole-extension path', ops: [{ op: 'replace', path: E, value: { division: 'D' } }], target: (s) => ({ ...s, [E]: { division: 'D' } }) },
  { name: 'manager as a bare string (Entra)', ops: [{ op: 'Replace', path: `${E}:manager`, value: 'boss-id' }], target: (s) => ({ ...s, [E]: { manager: { value: 'boss-id' } } }) },
  { name: 'manager as [{$ref,value}]', ops: [{ op: 'replace', path: `${E}:manager`, value: [{ $ref: 'https://x/Users/1', value: 'boss-1' }] }], target: (s) => ({ ...s, [E]: { manager: { $ref: 'https://x/Users/1', value: 'boss-1' } } }) },
  { name: 'manager as {value}', ops: [{ op: 'replace', path: `${E}:manager`, value: { value: 'boss-2' } }], target: (s) => ({ ...s, [E]: { manager: { value: 'boss-2' } } }) },
  { name: 'unqualified orgbridge attributes (seed product paths)', ops: [{ op: 'replace', path: 'organizationRole', value: 'admin' }, { op: 'replace', path: 'weaveRole', value: 'viewer' }, { op: 'replace', path: 'modelsSeat', value: 'viewer' }], target: (s) => ({ ...s, [O]: { ...s[O], organizationRole: 'admin', weaveAccess: 'viewer', modelsSeat: 'viewer' } }) },
  { name: 'operations apply in order', ops: [{ op: 'replace', path: 'title', value: 'A' }, { op: 'remove', path: 'title' }, { op: 'add', path: 'title', value: 'B' }], target: (s) => ({ ...s, title: 'B' }) },
];

describe('PATCH fixtures {source, ops, target}', () => {
  for (const f of FIXTURES) {
    it(f.name, () => {
      const source = f.source ?? base();
      const ops = normalisePatchRequest({ schemas: [PATCH_OP], Operations: f.ops }, USER, ID, LIMITS);
      const out = applyPatch(USER, source, ops);
      expect(out).toEqual(f.target(structuredClone(source)));
      expect(source).toEqual(f.source ?? base()); // never mutated
    });
  }
});

const REFUSED: [string, unknown[], string][] = [
  ['remove without path', [{ op: 'remove' }], 'noTarget'],
  ['unknown op', [{ op: 'copy', path: 'title', value: 'x' }], 'invalidSyntax'],
  ['unknown attribute', [{ op: 'replace', path: 'shoeSize', value: 1 }], 'invalidPath'],
  ['readOnly attribute', [{ op: 'replace', path: 'groups', value: [] }], 'mutability'],
  ['remove required attribute', [{ op: 'remove', path: 'userName' }], 'mutability'],
  ['boolean of the wrong type', [{ op: 'replace', path: 'active', value: 'nope' }], 'invalidValue'],
  ['__proto__ in a path', [{ op: 'add', path: '__proto__', value: { x: 1 } }], 'invalidValue'],
  ['constructor in a value', [{ op: 'add', value: JSON.parse('{"constructor": {"prototype": {"x": 1}}}') }], 'invalidValue'],
  ['replace with a non-equality filter that matches nothing', [{ op: 'replace', path: 'emails[value sw "zzz"].type', value: 'home' }], 'noTarget'],
  ['filter on a single-valued attribute', [{ op: 'replace', path: 'title[value eq "x"]', value: 'y' }], 'invalidPath'],
];

describe('PATCH refusals', () => {
  it.each(REFUSED)('%s → %s', (_name, ops, scimType) => {
    let err: unknown;
    try {
      applyPatch(USER, base(), normalisePatchRequest({ schemas: [PATCH_OP], Operations: ops }, USER, ID, LIMITS));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScimError);
    expect((err as ScimError).scimType).toBe(scimType);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses more operations than the cap with 413', () => {
    const ops = Array.from({ length: 101 }, () => ({ op: 'replace', path: 'title', value: 'x' }));
    expect(() => normalisePatchRequest({ schemas: [PATCH_OP], Operations: ops }, USER, ID, LIMITS)).toThrow(expect.objectContaining({ status: 413 }));
  });
});

describe('group member operations fold into one delta', () => {
  const A = '11111111-1111-4111-8111-111111111111';
  const B = '22222222-2222-4222-8222-222222222222';
  const C = '33333333-3333-4333-8333-333333333333';
  const fold = async (ops: unknown[], current: string[] = []) => {
    const { members, others } = splitMemberOps(normalisePatchRequest({ schemas: [PATCH_OP], Operations: ops }, GROUP, ID, LIMITS));
    const d = await foldMemberOps(members, async () => current.map((value) => ({ value, display: value })));
    return { add: [...d.add].sort(), remove: [...d.remove].sort(), replaceAll: d.replaceAll ? [...d.replaceAll].sort() : undefined, others: others.length };
  };
  it.each([
    ['Entra add', [{ op: 'Add', path: 'members', value: [{ value: A }, { value: B }] }], { add: [A, B], remove: [], replaceAll: undefined, others: 0 }],
    ['Entra remove by value list', [{ op: 'Remove', path: 'members', value: [{ value: A }] }], { add: [], remove: [A], replaceAll: undefined, others: 0 }],
    ['Okta delta', [{ op: 'remove', path: `members[value eq "${A}"]` }, { op: 'add', path: 'members', value: [{ value: B, display: 'b' }] }], { add: [B], remove: [A], replaceAll: undefined, others: 0 }],
    ['or-chain of values', [{ op: 'remove', path: `members[value eq "${A}" or value eq "${B}"]` }], { add: [], remove: [A, B], replaceAll: undefined, others: 0 }],
    ['full replace then add', [{ op: 'replace', path: 'members', value: [{ value: A }] }, { op: 'add', path: 'members', value: [{ value: C }] }], { add: [C], remove: [], replaceAll: [A, C], others: 0 }],
    ['remove all', [{ op: 'remove', path: 'members' }], { add: [], remove: [], replaceAll: [], others: 0 }],
    ['path-less replace with displayName and members (Okta)', [{ op: 'replace', value: { id: ID, displayName: 'x', members: [{ value: B }] } }], { add: [], remove: [], replaceAll: [B], others: 1 }],
  ] as [string, unknown[], unknown][])('%s', async (_n, ops, expected) => {
    expect(await fold(ops)).toEqual(expected);
  });

  it('evaluates an unusual member filter against the stored members', async () => {
    expect(await fold([{ op: 'remove', path: `members[display sw "${B.slice(0, 4)}"]` }], [A, B])).toMatchObject({ remove: [B] });
  });

  it('refuses nested groups and ids that are not users', async () => {
    await expect(fold([{ op: 'add', path: 'members', value: [{ value: A, type: 'Group' }] }])).rejects.toMatchObject({ scimType: 'invalidValue' });
    await expect(fold([{ op: 'add', path: 'members', value: [{ value: 'nope' }] }])).rejects.toMatchObject({ scimType: 'invalidValue' });
  });
});
