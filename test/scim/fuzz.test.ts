import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWith, ERROR_URN, GROUP_URN, patch, startScim, USER_URN, type ScimClient } from './support.ts';

// Issue 14 item 12: property-based tests (fast-check). Any filter, and any PATCH, answers
// 2xx or a 4xx with a SCIM error body: never a 500, and never a row of another
// organization. Bounded for CI: a fixed number of runs per property, and a fixed seed
// (FC_SEED overrides it; the seed is printed, and a failure prints the shrunk input and the
// path to replay it).

const SEED = Number(process.env.FC_SEED ?? 20261207);
const RUNS = Number(process.env.FC_RUNS ?? 150);
console.log(`fast-check seed ${SEED}, ${RUNS} runs per property (FC_SEED, FC_RUNS)`);

let s: ScimClient;
let mine: { users: string[]; groups: string[] };
let theirs: { token: string; orgId: string; users: string[]; groups: string[] };

const snapshot = async (orgId: string) => ({
  users: await s.db('users').where({ org_id: orgId }).orderBy('id'),
  teams: await s.db('teams').where({ org_id: orgId }).orderBy('id'),
  members: await s.db('team_members as tm').join('teams as t', 't.id', 'tm.team_id').where('t.org_id', orgId).orderBy(['tm.team_id', 'tm.user_id']).select('tm.*'),
});

beforeAll(async () => {
  s = await startScim({ maxFilterLength: 1000 });
  const other = await s.newOrg();
  theirs = { token: other.token, orgId: other.org.id, users: [], groups: [] };
  mine = { users: [], groups: [] };
  const make = async (token: string, into: { users: string[]; groups: string[] }, tag: string) => {
    for (let i = 0; i < 3; i++) {
      const u = await callWith(s.url, token, 'POST', '/scim/v2/Users', {
        schemas: [USER_URN], userName: `${tag}${i}@corp.test`, displayName: `${tag} ${i}`, title: `${tag}-title`, externalId: `${tag}-ext-${i}`,
        name: { givenName: tag, familyName: `F${i}` }, emails: [{ value: `${tag}${i}@corp.test`, type: 'work', primary: true }], active: i !== 2,
      });
      into.users.push(u.body.id);
    }
    const g = await callWith(s.url, token, 'POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: `${tag} team`, members: into.users.map((value) => ({ value })) });
    into.groups.push(g.body.id);
  };
  await make(s.token, mine, 'mine');
  await make(theirs.token, theirs, 'theirs');
}, 120_000);
afterAll(async () => { await s?.close(); });

// --- arbitraries: well-formed-ish SCIM, and noise -------------------------------------

const ATTRS = [
  'userName', 'displayName', 'title', 'externalId', 'id', 'active', 'name.givenName', 'name.familyName', 'emails', 'emails.value',
  'emails.type', 'emails.primary', 'meta.created', 'meta.lastModified', 'members', 'members.value', 'groups', 'nickName', 'unknownAttr',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', 'urn:orgbridge:params:scim:schemas:extension:orgbridge:2.0:User:organizationRole',
  'organizationRole', 'modelsSeat', 'x.y.z', '', 'emails[type eq "work"].value',
];
const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'EQ', 'Co', 'xx'];
// Known-awkward strings weigh as much as the random ones: SQL LIKE wildcards, quotes,
// what PostgreSQL cannot store, the other organization's names.
const SPECIALS = ['', '%', '_', '\\', "'", '"', '\u0000', 'a\u0000b', '\ud800', 'x\udfff', 'mine0@corp.test', 'theirs0@corp.test', 'theirs', "' or 1=1 --", 'ÆØÅ', '\u{1F600}'];
const weirdString = fc.oneof(
  { arbitrary: fc.constantFrom(...SPECIALS), weight: 3 },
  { arbitrary: fc.string(), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme' }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary' }), weight: 1 },
);
const literal = fc.oneof(
  { arbitrary: weirdString.map((v) => JSON.stringify(v)), weight: 4 },
  {
    arbitrary: fc.constantFrom('true', 'false', 'null', '0', '-1', '1e308', '99999999999999999999', '1.5', '2026-11-24T12:00:00Z', '"2026-11-24T12:00:00Z"', '"0001-01-01"', '"275760-09-13T00:00:00Z"', '"+275760-09-13"', '"-271821-04-20"'),
    weight: 2,
  },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.double().map(String), weight: 1 },
  { arbitrary: weirdString.map((v) => `"${v}"`), weight: 1 }, // not escaped: often malformed
);
const attr = fc.oneof({ arbitrary: fc.constantFrom(...ATTRS), weight: 6 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 });
const filter: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(attr, fc.constantFrom(...OPS), literal).map(([a, o, v]) => `${a} ${o} ${v}`),
    attr.map((a) => `${a} pr`),
    fc.tuple(tie('f'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('f')).map(([l, o, r]) => `${l} ${o} ${r}`),
    tie('f').map((x) => `not (${x})`),
    tie('f').map((x) => `(${x})`),
    fc.tuple(fc.constantFrom('emails', 'members', 'groups', 'addresses'), tie('f')).map(([a, x]) => `${a}[${x}]`),
  ),
})).f;
// Mostly filters of the grammar's shape (their values reach SQL), some plain noise.
const anyFilter = fc.oneof({ arbitrary: filter, weight: 8 }, { arbitrary: fc.string({ maxLength: 80 }), weight: 1 }, { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 });

async function expectScimAnswer(r: { status: number; body: any }, what: string): Promise<void> {
  if (r.status >= 500 || r.status < 200) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  if (r.status >= 400) {
    expect(r.body?.schemas, what).toEqual([ERROR_URN]);
    expect(r.body?.status, what).toBe(String(r.status));
  }
}

describe('property: filters', () => {
  it('any filter on /Users and /Groups: 200 with only this organization\'s rows, or a 4xx SCIM error', async () => {
    const own = new Set([s.admin.id, ...mine.users, ...mine.groups]);
    await fc.assert(
      fc.asyncProperty(anyFilter, fc.constantFrom('Users', 'Groups'), fc.boolean(), async (f, type, search) => {
        const r = search
          ? await s.call('POST', `/scim/v2/${type}/.search`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: f })
          : await s.call('GET', `/scim/v2/${type}?filter=${encodeURIComponent(f)}`);
        await expectScimAnswer(r, `${type} filter ${JSON.stringify(f)}`);
        if (r.status === 200) {
          for (const res of r.body.Resources ?? []) {
            if (!own.has(res.id)) throw new Error(`${type} filter ${JSON.stringify(f)} returned ${res.id}, not this organization's`);
          }
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false, interruptAfterTimeLimit: 240_000 },
    );
  }, 300_000);
});

// --- PATCH -----------------------------------------------------------------------------

const PATHS = [
  'title', 'displayName', 'userName', 'active', 'name.givenName', 'name', 'emails', 'emails[type eq "work"].value', 'emails[type eq "work"]',
  'members', 'members[value eq "X"]', 'externalId', 'id', 'meta.created', 'groups', 'organizationRole', 'modelsSeat', 'weaveRole', 'teamRoles',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
  'urn:orgbridge:params:scim:schemas:extension:orgbridge:2.0:User:organizationRole', 'unknown', 'emails[value co "@"].primary', 'x[', '',
];

describe('property: PATCH', () => {
  it('found by this property (seed 1): removing members[value eq "<not a uuid>"] removes nothing (it was a 500)', async () => {
    const r = await s.call('PATCH', `/scim/v2/Groups/${mine.groups[0]}`, patch({ op: 'remove', path: 'members[value eq "not-a-uuid"]' }));
    expect(r.status).toBe(204);
    expect(await s.db('team_members').where({ team_id: mine.groups[0] })).toHaveLength(3);
  });

  it('any PATCH of a user or a group: 2xx or a 4xx SCIM error; the other organization is untouched', async () => {
    const before = await snapshot(theirs.orgId);
    const ids = fc.constantFrom(...mine.users, ...theirs.users, ...mine.groups, ...theirs.groups, '00000000-0000-4000-8000-000000000000', 'bulkId:x', 'not-a-uuid');
    const value: fc.Arbitrary<unknown> = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      weirdString,
      fc.constantFrom(true, false, 'True', 'False', null, 0, -1, 1e308, 'admin', 'member', 'viewer', 'full', 'none'),
      fc.array(fc.record({ value: fc.oneof(ids, weirdString), display: fc.option(weirdString), type: fc.option(weirdString), primary: fc.option(fc.boolean()) }, { requiredKeys: ['value'] }), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom(...PATHS, 'active', 'userName'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    );
    const path = fc.oneof(
      fc.constantFrom(...PATHS),
      fc.tuple(fc.constantFrom('members', 'emails'), filter).map(([a, f]) => `${a}[${f}]`),
      ids.map((id) => `members[value eq "${id}"]`),
      fc.string({ maxLength: 20 }),
    );
    const op = fc.record({ op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'copy', ''), path: fc.option(path, { nil: undefined }), value: fc.option(value, { nil: undefined }) }, { requiredKeys: ['op'] });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('Users', 'Groups'), fc.nat(2), fc.array(op, { minLength: 1, maxLength: 4 }), async (type, n, ops) => {
        const target = type === 'Users' ? mine.users[n]! : mine.groups[0]!;
        const r = await s.call('PATCH', `/scim/v2/${type}/${target}`, patch(...ops));
        await expectScimAnswer(r, `PATCH ${type} ${JSON.stringify(ops)}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false, interruptAfterTimeLimit: 240_000 },
    );
    // Nothing of the other organization changed, and none of its people joined a team here.
    expect(await snapshot(theirs.orgId)).toEqual(before);
    const crossed = await s.db('team_members as tm').join('teams as t', 't.id', 'tm.team_id').join('users as u', 'u.id', 'tm.user_id').whereRaw('t.org_id <> u.org_id').select('tm.*');
    expect(crossed).toEqual([]);
  }, 300_000);
});
