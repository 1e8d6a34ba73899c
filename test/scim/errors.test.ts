import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, makeMember } from '../support/factories.ts';
import { callWith, ERROR_URN, GROUP_URN, ORGBRIDGE_URN, patch, PATCH_OP, startScim, USER_URN, type ScimClient } from './support.ts';

let c: ScimClient;
beforeAll(async () => { c = await startScim(); });
afterAll(async () => { await c.close(); });

const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER_URN], userName, ...extra });

function expectError(r: { status: number; body: any }, status: number, scimType?: string) {
  expect(r.status).toBe(status);
  expect(r.body.schemas).toEqual([ERROR_URN]);
  expect(r.body.status).toBe(String(status));
  expect(typeof r.body.detail).toBe('string');
  if (scimType) expect(r.body.scimType).toBe(scimType);
  else expect(r.body.scimType).toBeUndefined();
}

describe('409 uniqueness', () => {
  it('refuses a userName that differs only in case or Unicode form', async () => {
    expect((await c.call('POST', '/scim/v2/Users', user('jane.doe@corp.test'))).status).toBe(201);
    expectError(await c.call('POST', '/scim/v2/Users', user('JANE.DOE@corp.test')), 409, 'uniqueness');
    // fullwidth letters normalise (NFKC) to the same key
    expectError(await c.call('POST', '/scim/v2/Users', user('ｊａｎｅ.doe@corp.test')), 409, 'uniqueness');
  });

  it('refuses a duplicate group displayName and a duplicate externalId', async () => {
    expect((await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'Data Science' })).status).toBe(201);
    expectError(await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'data science' }), 409, 'uniqueness');
    expect((await c.call('POST', '/scim/v2/Users', user('ext1@corp.test', { externalId: 'E-1' }))).status).toBe(201);
    expectError(await c.call('POST', '/scim/v2/Users', user('ext2@corp.test', { externalId: 'E-1' })), 409, 'uniqueness');
    expect(await c.db('users').where({ user_name: 'ext2@corp.test' }).first()).toBeUndefined();
  });

  it('two concurrent identical creates: exactly one 201', async () => {
    const replies = await Promise.all(Array.from({ length: 8 }, () => c.call('POST', '/scim/v2/Users', user('race@corp.test', { emails: [{ value: 'race@corp.test', primary: true }] }))));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.scimType).toBe('uniqueness');
    expect(await c.db('users').whereRaw('user_name_key = ?', ['race@corp.test']).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });

  it('a userName another organization has is a new record here (201), never theirs', async () => {
    const other = await c.newOrg();
    const { user: existing } = await makeMember(c.db, other.org.id, { userName: 'shared@corp.test' });
    const r = await c.call('POST', '/scim/v2/Users', user('Shared@corp.test', { emails: [{ value: 'shared@corp.test', primary: true }] }));
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe(existing.id);
    expect(await c.db('memberships').where({ user_id: existing.id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    expect(await c.db('users').where({ user_name_key: 'shared@corp.test' }).count({ n: '*' }).first()).toMatchObject({ n: 2 });
  });
});

describe('409 last admin', () => {
  it('refuses to delete, deactivate or demote the last active admin, audited as refused, same answer on retry', async () => {
    const admin = c.admin.id;
    for (let i = 0; i < 2; i++) {
      const del = await c.call('DELETE', `/scim/v2/Users/${admin}`);
      expectError(del, 409);
      expect(del.body.detail).toContain('last-admin rule');
    }
    expectError(await c.call('PATCH', `/scim/v2/Users/${admin}`, patch({ op: 'Replace', path: 'active', value: 'False' })), 409);
    expectError(await c.call('PATCH', `/scim/v2/Users/${admin}`, patch({ op: 'replace', path: 'organizationRole', value: 'member' })), 409);
    const put = await c.call('GET', `/scim/v2/Users/${admin}`);
    const body = { ...put.body, [ORGBRIDGE_URN]: { ...put.body[ORGBRIDGE_URN], organizationRole: 'viewer' } };
    expectError(await c.call('PUT', `/scim/v2/Users/${admin}`, body), 409);
    const m = await c.db('memberships').where({ org_id: c.org.id, user_id: admin }).first();
    expect(m).toMatchObject({ status: 'active', org_role: 'admin' });
    const refused = await auditRows(c.db, { target_id: admin, outcome: 'refused' });
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(refused[0]).toMatchObject({ actor_type: 'scim', action: 'member.remove', reason: expect.stringContaining('last-admin rule') });
  });

  it('allows it once another admin exists (organizationRole through the extension)', async () => {
    const r = await c.call('POST', '/scim/v2/Users', user('second.admin@corp.test', { [ORGBRIDGE_URN]: { organizationRole: 'admin' } }));
    expect(r.status).toBe(201);
    expect(r.body[ORGBRIDGE_URN].organizationRole).toBe('admin');
    const demote = await c.call('PATCH', `/scim/v2/Users/${c.admin.id}`, patch({ op: 'replace', path: 'organizationRole', value: 'member' }));
    expect(demote.status).toBe(200);
    expectError(await c.call('PATCH', `/scim/v2/Users/${r.body.id}`, patch({ op: 'replace', value: { active: false } })), 409);
  });
});

describe('409 last admin under concurrency', () => {
  it('two requests that each deactivate one of the last two admins: exactly one succeeds', async () => {
    const other = await c.newOrg();
    const second = await callWith(c.url, other.token, 'POST', '/scim/v2/Users', user('co-admin@corp.test', { [ORGBRIDGE_URN]: { organizationRole: 'admin' } }));
    const ids = [other.admin.id, second.body.id as string];
    const replies = await Promise.all(ids.map((id) => callWith(c.url, other.token, 'PATCH', `/scim/v2/Users/${id}`, patch({ op: 'replace', path: 'active', value: false }))));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    const active = await c.db('memberships').where({ org_id: other.org.id, org_role: 'admin', status: 'active' });
    expect(active).toHaveLength(1);
  });
});

describe('403 seat license', () => {
  it('refuses a create beyond the seat license, audited as refused; a seatless create passes', async () => {
    const other = await c.newOrg();
    await c.db('organizations').where({ id: other.org.id }).update({ models_full_seats: 1 }); // the admin holds it
    const as = (body: unknown) => callWith(c.url, other.token, 'POST', '/scim/v2/Users', body);
    const r = await as(user('seatless@corp.test'));
    expectError(r, 403);
    expect(r.body.detail).toContain('seat license');
    expect(await c.db('users').where({ user_name: 'seatless@corp.test' }).first()).toBeUndefined();
    expect(await auditRows(c.db, { org_id: other.org.id, outcome: 'refused', action: 'member.add' })).toHaveLength(1);
    expect((await as(user('viewerseat@corp.test', { [ORGBRIDGE_URN]: { modelsSeat: 'none' } }))).status).toBe(201);
  });
});

describe('412 If-Match', () => {
  it('refuses a stale version on PATCH, PUT and DELETE; accepts the current one and *', async () => {
    const u = await c.call('POST', '/scim/v2/Users', user('etag@corp.test'));
    const v1 = u.headers.get('etag')!;
    const p = await c.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch({ op: 'replace', path: 'displayName', value: 'One' }), { 'if-match': v1 });
    expect(p.status).toBe(200);
    const v2 = p.headers.get('etag')!;
    expect(v2).not.toBe(v1);
    expectError(await c.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch({ op: 'replace', path: 'displayName', value: 'Two' }), { 'if-match': v1 }), 412);
    expectError(await c.call('PUT', `/scim/v2/Users/${u.body.id}`, user('etag@corp.test'), { 'if-match': v1 }), 412);
    expectError(await c.call('DELETE', `/scim/v2/Users/${u.body.id}`, undefined, { 'if-match': v1 }), 412);
    expect((await c.db('users').where({ id: u.body.id }).first()).display_name).toBe('One');
    expect((await c.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch({ op: 'replace', path: 'displayName', value: 'Star' }), { 'if-match': '*' })).status).toBe(200);
    const cur = await c.call('GET', `/scim/v2/Users/${u.body.id}`);
    expect((await c.call('GET', `/scim/v2/Users/${u.body.id}`, undefined, { 'if-none-match': cur.headers.get('etag')! })).status).toBe(304);
    expect((await c.call('GET', `/scim/v2/Users/${u.body.id}`, undefined, { 'if-none-match': v1 })).status).toBe(200);

    const g = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'etag-team' });
    const gv = g.headers.get('etag')!;
    expect((await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'add', path: 'members', value: [{ value: u.body.id }] }), { 'if-match': gv })).status).toBe(204);
    // The user's groups changed, so the user's version did too (RFC 7644 §3.14).
    const joined = await c.call('GET', `/scim/v2/Users/${u.body.id}`);
    expect(joined.body.groups).toEqual([expect.objectContaining({ value: g.body.id })]);
    expect(joined.headers.get('etag')).not.toBe(cur.headers.get('etag'));
    expectError(await c.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch({ op: 'replace', path: 'displayName', value: 'Stale' }), { 'if-match': cur.headers.get('etag')! }), 412);
    expectError(await c.call('PATCH', `/scim/v2/Groups/${g.body.id}`, patch({ op: 'remove', path: 'members' }), { 'if-match': gv }), 412);
    expectError(await c.call('DELETE', `/scim/v2/Groups/${g.body.id}`, undefined, { 'if-match': gv }), 412);
    expect(await c.db('team_members').where({ team_id: g.body.id })).toHaveLength(1);
  });
});

describe('400 by scimType', () => {
  let id = '';
  beforeAll(async () => {
    id = (await c.call('POST', '/scim/v2/Users', user('errors@corp.test', { emails: [{ value: 'errors@corp.test', type: 'work', primary: true }] }))).body.id;
  });
  const q = encodeURIComponent;

  it('invalidFilter', async () => {
    for (const f of ['userName eq', 'userName xx "a"', 'nosuchattr eq "a"', 'emails[type eq "work"', 'userName eq "a" and', 'nickName eq 12 and password', 'active eq "maybe"', 'meta.created gt "yesterday"', '(('.repeat(20) + 'userName pr' + '))'.repeat(20), `userName eq "${'x'.repeat(5000)}"`]) {
      expectError(await c.call('GET', `/scim/v2/Users?filter=${q(f)}`), 400, 'invalidFilter');
    }
  });

  it('invalidSyntax', async () => {
    expectError(await c.call('POST', '/scim/v2/Users', '{"userName": '), 400, 'invalidSyntax');
    expectError(await c.call('POST', '/scim/v2/Users', { userName: 'no-schemas@corp.test' }), 400, 'invalidSyntax');
    expectError(await c.call('PATCH', `/scim/v2/Users/${id}`, { Operations: [{ op: 'replace', path: 'title', value: 'x' }] }), 400, 'invalidSyntax');
    expectError(await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'merge', path: 'title', value: 'x' })), 400, 'invalidSyntax');
    expectError(await c.call('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH_OP], Operations: [] }), 400, 'invalidSyntax');
  });

  it('invalidPath', async () => {
    for (const path of ['nosuch', 'name.nosuch', 'emails[type eq "work"].nosuch', '__proto__.polluted', 'constructor', 'urn:nope:User:x', 'title[value eq "x"]']) {
      const r = await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'replace', path, value: 'x' }));
      expect([r.status, r.body.scimType], path).toEqual([400, path === '__proto__.polluted' || path === 'constructor' ? 'invalidValue' : 'invalidPath']);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('invalidValue', async () => {
    const cases: unknown[] = [
      { op: 'replace', path: 'active', value: 5 },
      { op: 'replace', path: 'organizationRole', value: 'superuser' },
      { op: 'replace', path: 'userName', value: '' },
      { op: 'replace', value: JSON.parse('{"__proto__": {"polluted": true}, "title": "x"}') },
      { op: 'add', path: 'name', value: JSON.parse('{"constructor": {"prototype": {"polluted": true}}}') },
      { op: 'replace', value: { nosuch: 1 } },
      { op: 'add', path: 'emails', value: [{ value: 'a@b.c', nosub: 1 }] },
      { op: 'replace', path: 'title' },
    ];
    for (const o of cases) expectError(await c.call('PATCH', `/scim/v2/Users/${id}`, patch(o)), 400, 'invalidValue');
    // An email that is not an address is stored (RFC 7643 §4.1.2 "SHOULD"; dialects.test.ts); one without a value is not.
    expectError(await c.call('POST', '/scim/v2/Users', user('bad-email@corp.test', { emails: [{ type: 'work' }] })), 400, 'invalidValue');
    expectError(await c.call('GET', '/scim/v2/Users?count=ten'), 400, 'invalidValue');
    expectError(await c.call('GET', '/scim/v2/Users?sortBy=password'), 400, 'invalidValue');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('noTarget', async () => {
    expectError(await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'remove' })), 400, 'noTarget');
    expectError(await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'replace', path: 'emails[value co "nomatch"].type', value: 'home' })), 400, 'noTarget');
  });

  it('mutability', async () => {
    for (const o of [
      { op: 'replace', path: 'id', value: 'x' },
      { op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' },
      { op: 'add', path: 'groups', value: [{ value: 'x' }] },
      { op: 'remove', path: 'userName' },
      { op: 'replace', value: { id: 'someone-else' } },
    ]) {
      expectError(await c.call('PATCH', `/scim/v2/Users/${id}`, patch(o)), 400, 'mutability');
    }
  });

  it('tooMany: a page of groups with too many members in total', async () => {
    const g = await c.call('POST', '/scim/v2/Groups', { schemas: [GROUP_URN], displayName: 'crowd' });
    await c.db.raw(
      `insert into users (id, org_id, user_name) select gen_random_uuid(), ?, 'crowd-' || g || '@corp.test' from generate_series(1, 50001) g`,
      [c.org.id],
    );
    await c.db.raw(
      `insert into team_members (team_id, user_id, role) select ?, id, 'member' from users where user_name like 'crowd-%'`,
      [g.body.id],
    );
    expectError(await c.call('GET', '/scim/v2/Groups'), 400, 'tooMany');
    expect((await c.call('GET', '/scim/v2/Groups?excludedAttributes=members')).status).toBe(200);
  }, 60_000);

  it('sensitive (403): a password in a filter in the URI', async () => {
    expectError(await c.call('GET', `/scim/v2/Users?filter=${q('password eq "hunter2"')}`), 403, 'sensitive');
    const search = await c.call('POST', '/scim/v2/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'password eq "hunter2"' });
    expectError(search, 400, 'invalidFilter');
  });

  it('a bad operation leaves the resource untouched (atomic PATCH)', async () => {
    const before = await c.call('GET', `/scim/v2/Users/${id}`);
    const r = await c.call('PATCH', `/scim/v2/Users/${id}`, patch(
      { op: 'replace', path: 'title', value: 'Changed' },
      { op: 'replace', path: 'displayName', value: 'Changed' },
      { op: 'replace', path: 'organizationRole', value: 'superuser' },
    ));
    expectError(r, 400, 'invalidValue');
    const after = await c.call('GET', `/scim/v2/Users/${id}`);
    expect(after.body).toEqual(before.body);
  });
});
