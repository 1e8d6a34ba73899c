import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/domain/accounts.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { approveDomain } from '../../src/domain/domain-verification.ts';
import { claimDomain } from '../../src/domain/domains.ts';
import { accountFor, testActor } from '../support/factories.ts';
import { callWith, patch, startScim, USER_URN, type ScimClient } from './support.ts';

// Each organization owns its view of a person (SPEC §1, issue 11): a SCIM token reads and
// writes only its organization's member records. The old model let acme's IdP POST the
// userName and email of globex's admin, get *her* record back (with what globex stored),
// and rewrite the one shared row globex saw.

let s: ScimClient;
let globex: { token: string; orgId: string };
const acme = () => s.token;

beforeAll(async () => {
  s = await startScim();
  const g = await s.newOrg();
  globex = { token: g.token, orgId: g.org.id };
});
afterAll(async () => {
  await s?.close();
});

const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER_URN], userName, ...extra });

describe('SCIM across organizations', () => {
  it('another organization\u2019s userName and email make a new record here: no 409, none of their data, nothing of theirs changed', async () => {
    const theirs = await callWith(s.url, globex.token, 'POST', '/scim/v2/Users', user('grace@globex.example', {
      emails: [{ value: 'grace@globex.example', primary: true }],
      displayName: 'Grace (Globex admin)',
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      'urn:orgbridge:params:scim:schemas:extension:orgbridge:2.0:User': { organizationRole: 'admin' },
    }));
    expect(theirs.status).toBe(201);
    await accountFor(s.db, theirs.body.id); // she has signed in: her record is linked to her account

    const mine = await callWith(s.url, acme(), 'POST', '/scim/v2/Users', user('GRACE@globex.example', { emails: [{ value: 'grace@globex.example', primary: true }] }));
    expect(mine.status).toBe(201);
    expect(mine.body.id).not.toBe(theirs.body.id);
    expect(mine.body.displayName).toBeUndefined();
    expect(mine.body.phoneNumbers).toBeUndefined();
    expect(mine.body['urn:orgbridge:params:scim:schemas:extension:orgbridge:2.0:User'].organizationRole).toBe('member');
    const row = await s.db('users').where({ id: mine.body.id }).first();
    expect(row).toMatchObject({ org_id: s.org.id, account_id: null });

    // acme rewrites its own record's emails: globex's record and the account are untouched.
    const rewritten = await callWith(s.url, acme(), 'PATCH', `/scim/v2/Users/${mine.body.id}`, patch({ op: 'replace', path: 'emails', value: [{ value: 'attacker@acme.example', primary: true }] }));
    expect(rewritten.status).toBe(200);
    const theirsNow = await callWith(s.url, globex.token, 'GET', `/scim/v2/Users/${theirs.body.id}`);
    expect(theirsNow.body.emails).toEqual([{ value: 'grace@globex.example', primary: true }]);
    expect(theirsNow.body.displayName).toBe('Grace (Globex admin)');
    const account = await s.db('accounts').where({ id: (await s.db('users').where({ id: theirs.body.id }).first()).account_id }).first();
    expect(account.email).toBe('grace@globex.example');
    // acme's record is not linked to her account by any of this.
    expect((await s.db('users').where({ id: mine.body.id }).first()).account_id).toBeNull();
  });

  it('a token cannot read, change or delete another organization\u2019s record (404), nor find it by filter', async () => {
    const theirs = await callWith(s.url, globex.token, 'POST', '/scim/v2/Users', user('hidden@globex.example'));
    expect(theirs.status).toBe(201);
    for (const [method, body] of [['GET', undefined], ['PATCH', patch({ op: 'replace', path: 'displayName', value: 'x' })], ['PUT', user('hidden@globex.example')], ['DELETE', undefined]] as const) {
      const res = await callWith(s.url, acme(), method, `/scim/v2/Users/${theirs.body.id}`, body);
      expect(res.status, method).toBe(404);
    }
    const found = await callWith(s.url, acme(), 'GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "hidden@globex.example"')}`);
    expect(found.body.totalResults).toBe(0);
    expect((await callWith(s.url, globex.token, 'GET', `/scim/v2/Users/${theirs.body.id}`)).body.displayName).toBeUndefined();
  });

  it('userName stays unique within one organization (409 uniqueness), also under concurrent creates', async () => {
    const first = await callWith(s.url, acme(), 'POST', '/scim/v2/Users', user('dup@acme.example'));
    expect(first.status).toBe(201);
    const again = await callWith(s.url, acme(), 'POST', '/scim/v2/Users', user('DUP@acme.example'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ scimType: 'uniqueness', status: '409' });
    const racing = await Promise.all(Array.from({ length: 6 }, () => callWith(s.url, acme(), 'POST', '/scim/v2/Users', user('race@acme.example'))));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await s.db('users').where({ org_id: s.org.id, user_name_key: 'race@acme.example' })).toHaveLength(1);
  });
});

describe('records sharing one email (RFC 7643 §4.1.2: only userName is unique)', () => {
  it('provision, read, and filter by emails.value: every record with the address is returned', async () => {
    const a = await callWith(s.url, acme(), 'POST', '/scim/v2/Users', user('sam', { emails: [{ value: 'sam@acme.example', primary: true }] }));
    const b = await callWith(s.url, acme(), 'POST', '/scim/v2/Users', user('sam-admin', { emails: [{ value: 'SAM@acme.example', primary: true }] }));
    expect([a.status, b.status]).toEqual([201, 201]);
    const list = await callWith(s.url, acme(), 'GET', `/scim/v2/Users?filter=${encodeURIComponent('emails.value eq "sam@acme.example"')}`);
    expect(list.status).toBe(200);
    expect(list.body.totalResults).toBe(2);
    expect(list.body.Resources.map((r: { userName: string }) => r.userName).sort()).toEqual(['sam', 'sam-admin']);
    const one = await callWith(s.url, acme(), 'GET', `/scim/v2/Users/${b.body.id}`);
    expect(one.body.emails).toEqual([{ value: 'SAM@acme.example', primary: true }]);
  });
});

describe('a managed domain (SPEC §1: the organization that verified the domain of the account\u2019s address)', () => {
  it('links its SCIM records in that domain at creation, and only it changes the account\u2019s profile', async () => {
    await runInTransaction(s.db, testActor, async (tx) => {
      await claimDomain(tx, globex.orgId, 'globex.example');
      await approveDomain(tx, globex.orgId, 'globex.example');
    });
    const ivan = await runInTransaction(s.db, testActor, (tx) => createAccount(tx, { email: 'ivan@globex.example', displayName: 'Ivan' }));
    const theirs = await callWith(s.url, globex.token, 'POST', '/scim/v2/Users', user('ivan', { emails: [{ value: 'Ivan@globex.example', primary: true }] }));
    expect(theirs.status).toBe(201);
    expect(await s.db('users').where({ id: theirs.body.id }).first()).toMatchObject({ account_id: ivan.id, linked_by: 'managed_domain' });
    expect(await s.db('audit_log').where({ org_id: globex.orgId, action: 'member.link', target_id: theirs.body.id })).toHaveLength(1);
    // acme did not verify globex.example: its record with the same address waits unlinked.
    const mine = await callWith(s.url, acme(), 'POST', '/scim/v2/Users', user('ivan@globex.example', { emails: [{ value: 'ivan@globex.example', primary: true }] }));
    expect(await s.db('users').where({ id: mine.body.id }).first()).toMatchObject({ account_id: null });

    await callWith(s.url, acme(), 'PATCH', `/scim/v2/Users/${mine.body.id}`, patch({ op: 'replace', path: 'displayName', value: 'Hacked by Acme' }));
    expect((await s.db('accounts').where({ id: ivan.id }).first()).display_name).toBe('Ivan');
    await callWith(s.url, globex.token, 'PATCH', `/scim/v2/Users/${theirs.body.id}`, patch({ op: 'replace', path: 'displayName', value: 'Ivan Petrov' }));
    expect((await s.db('accounts').where({ id: ivan.id }).first()).display_name).toBe('Ivan Petrov');
    // The address follows within the managed domain, never out of it.
    await callWith(s.url, globex.token, 'PATCH', `/scim/v2/Users/${theirs.body.id}`, patch({ op: 'replace', path: 'emails', value: [{ value: 'ivan.petrov@globex.example', primary: true }] }));
    expect((await s.db('accounts').where({ id: ivan.id }).first()).email).toBe('ivan.petrov@globex.example');
    await callWith(s.url, globex.token, 'PATCH', `/scim/v2/Users/${theirs.body.id}`, patch({ op: 'replace', path: 'emails', value: [{ value: 'ivan@elsewhere.example', primary: true }] }));
    expect((await s.db('accounts').where({ id: ivan.id }).first()).email).toBe('ivan.petrov@globex.example');
    expect(await s.db('audit_log').where({ org_id: globex.orgId, action: 'account.profile', target_id: ivan.id })).toHaveLength(2);
  });
});
