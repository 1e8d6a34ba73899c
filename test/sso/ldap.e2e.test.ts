import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/env.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { approveDomain } from '../../src/domain/domain-verification.ts';
import { claimDomain } from '../../src/domain/domains.ts';
import { setDefaultTeam, updateOrganizationSettings } from '../../src/domain/organizations.ts';
import { createRoleGroup } from '../../src/domain/role-groups.ts';
import type { OrganizationRow, TeamRow } from '../../src/domain/types.ts';
import { skipWithout } from '../support/binaries.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrg, makeTeam, testActor } from '../support/factories.ts';
import { Agent } from '../support/https-fetch.ts';
import { freePort } from '../support/ports.ts';
import { usernameDigest } from '../../src/sso/ldap/throttle.ts';
import { BASE, SERVICE_DN, SERVICE_PW, SLAPD, startSlapd, type Slapd } from '../support/slapd.ts';
import { startApp, type RunningApp } from '../support/sso-app.ts';

// End to end against a real OpenLDAP slapd (Debian package), started per file with a
// generated config on loopback ports: ldap:// and ldaps:// with a throwaway CA.

const skip = skipWithout(SLAPD, 'slapd', 'apt-get install slapd ldap-utils');

let tdb: TestDb;
let slapd: Slapd;
let tlsOnly: Slapd; // refuses every simple bind that is not under TLS
const apps: RunningApp[] = [];
let example: OrganizationRow;
let opsTeam: TeamRow;
const OPS = `cn=ops,ou=groups,${BASE}`;
const PARTNER_OPS = `cn=ops,ou=partners,${BASE}`; // same CN, another OU: bob is in it
const PLATFORM = `cn=platform,ou=groups,${BASE}`;
const tx = <T>(fn: Parameters<typeof runInTransaction<T>>[2]) => runInTransaction(tdb.db, testActor, fn);
const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number(((await tdb.db(table).where(where).count({ n: '*' }).first()) as { n: number }).n);

const ldapEnv = (url: string, extra: Record<string, string> = {}) => ({
  AUTO_PROVISIONING: 'true',
  LDAP_URL: url,
  LDAP_BIND_DN: SERVICE_DN,
  LDAP_BIND_PASSWORD: SERVICE_PW,
  LDAP_SEARCH_BASE: `ou=people,${BASE}`,
  LDAP_SEARCH_FILTER: '(uid={{username}})',
  LDAP_ATTRIBUTES: 'email=mail,name=cn,groups=memberOf',
  LDAP_GROUP_SYNC: 'true',
  LDAP_TIMEOUT_MS: '3000',
  ...extra,
});

async function app(env: Record<string, string>): Promise<RunningApp> {
  const a = await startApp(tdb.db, env);
  apps.push(a);
  return a;
}

/** Like a browser: GET the form (its login-CSRF cookie and hidden field), then POST it. */
async function login(a: RunningApp, form: Record<string, string> | string, agent = new Agent()) {
  const page = await (await agent.request(`${a.url}/auth/ldap/login`)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const init = typeof form === 'string'
    ? { method: 'POST', body: `${form}&csrf=${encodeURIComponent(csrf)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }
    : { form: { csrf, ...form } };
  const res = await agent.request(`${a.url}/auth/ldap/login`, init);
  return { agent, res, text: await res.text() };
}

async function meOf(a: RunningApp, agent: Agent) {
  const res = await agent.request(`${a.url}/auth/me`);
  return { status: res.status, body: (await res.json()) as { user?: { email: string }; organizations?: { name: string; role: string; teams: { name: string }[] }[] } };
}

const binds = (s: Slapd) => (readFileSync(`${s.dir}/slapd.log`, 'utf8').match(/ BIND dn=/g) ?? []).length;

describe.skipIf(skip)('LDAP sign-in against a real slapd', () => {
  let plain: RunningApp;

  beforeAll(async () => {
    tdb = await createTestDb();
    [slapd, tlsOnly] = await Promise.all([startSlapd(), startSlapd({ tlsOnly: true })]);
    const org = await makeOrg(tdb.db, 'Example');
    example = org;
    const everyone = await makeTeam(tdb.db, org.id, 'everyone');
    opsTeam = await makeTeam(tdb.db, org.id, 'ops');
    const platform = await makeTeam(tdb.db, org.id, 'platform');
    await runInTransaction(tdb.db, testActor, async (tx) => {
      await claimDomain(tx, org.id, 'example.org');
      await approveDomain(tx, org.id, 'example.org');
      await setDefaultTeam(tx, org.id, everyone.id);
      await updateOrganizationSettings(tx, org.id, { autoProvisioning: true });
      // LDAP groups join teams through role groups naming the group's DN (source ldap),
      // spelled here as an admin might, not as slapd does.
      await createRoleGroup(tx, org.id, 'CN=Ops, OU=Groups,DC=example,DC=org', { teamId: opsTeam.id, teamRole: 'member' }, 'ldap');
      await createRoleGroup(tx, org.id, PLATFORM, { teamId: platform.id, teamRole: 'member' }, 'ldap');
    });
    plain = await app(ldapEnv(slapd.url));
  });

  afterAll(async () => {
    for (const a of apps) await a.stop();
    await slapd?.stop();
    await tlsOnly?.stop();
    await tdb?.close();
  });

  test('GET shows the form; a good bind signs in, maps email, name and groups → teams (by role groups naming their DNs)', async () => {
    const form = await new Agent().request(`${plain.url}/auth/ldap/login`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="password"');
    const { agent, res } = await login(plain, { username: 'alice', password: 'alice-pw', returnTo: '/auth/me' });
    expect(res.status).toBe(303);
    const me = await meOf(plain, agent);
    expect(me.body.user).toMatchObject({ email: 'alice@example.org', displayName: 'Alice Archer' });
    expect(me.body.organizations![0]!.teams.map((t) => t.name).sort()).toEqual(['everyone', 'ops', 'platform']);
    const account = await tdb.db('accounts').where({ email_key: 'alice@example.org' }).first();
    const identity = await tdb.db('external_identities').where({ account_id: account.id }).first();
    expect(identity.provider).toBe(`ldap:${slapd.url}`);
    expect(identity.external_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/); // entryUUID, not the DN
  });

  test('wrong password and unknown user: 401 with the form again, no session', async () => {
    for (const form of [{ username: 'alice', password: 'wrong' }, { username: 'nobody', password: 'x' }]) {
      const { agent, res, text } = await login(plain, form);
      expect(res.status).toBe(401);
      expect(text).toContain('Wrong username or password');
      expect(text).toContain('name="password"');
      expect((await meOf(plain, agent)).status).toBe(401);
    }
  });

  test('login CSRF: a post without the form’s cookie and token is refused before any bind', async () => {
    const before = binds(slapd);
    const forged = await new Agent().request(`${plain.url}/auth/ldap/login`, { form: { username: 'alice', password: 'alice-pw', csrf: 'x'.repeat(43) } });
    expect(forged.status).toBe(403);
    const page = await forged.text();
    expect(page).toContain('sign-in form has expired');
    expect(page).toMatch(/name="csrf" value="[A-Za-z0-9_-]{43}"/);
    // A token from one browser does not work with another browser's cookie.
    const a = new Agent();
    const tokenA = /name="csrf" value="([^"]+)"/.exec(await (await a.request(`${plain.url}/auth/ldap/login`)).text())![1]!;
    const b = new Agent();
    await b.request(`${plain.url}/auth/ldap/login`);
    const crossed = await b.request(`${plain.url}/auth/ldap/login`, { form: { username: 'alice', password: 'alice-pw', csrf: tokenA } });
    expect(crossed.status).toBe(403);
    expect((await meOf(plain, b)).status).toBe(401);
    expect(binds(slapd)).toBe(before);
  });

  test('empty or whitespace password: refused before any bind', async () => {
    const before = binds(slapd);
    for (const password of ['', ' ', '\t \n']) {
      const { res } = await login(plain, { username: 'alice', password });
      expect(res.status).toBe(400);
    }
    const missing = await login(plain, 'username=alice');
    expect(missing.res.status).toBe(400);
    await new Promise((r) => setTimeout(r, 100));
    expect(binds(slapd)).toBe(before);
  });

  test.each([
    ['*', { username: '*', password: 'x' }],
    [')( injection', { username: 'alice)(uid=*', password: 'x' }],
    ['or-all filter', { username: '*)(|(uid=*', password: 'alice-pw' }],
    ['NUL', { username: 'alice\u0000', password: 'alice-pw' }],
    ['backslash', { username: 'alice\\', password: 'alice-pw' }],
  ])('username injection (%s) is refused, never 500', async (_label, form) => {
    const { agent, res } = await login(plain, form);
    expect(res.status).toBe(400);
    expect((await meOf(plain, agent)).status).toBe(401);
  });

  test('non-string input (repeated field, JSON body) is refused, never 500', async () => {
    const repeated = await login(plain, 'username=alice&username=bob&password=alice-pw');
    expect(repeated.res.status).toBe(400);
    const json = await new Agent().request(`${plain.url}/auth/ldap/login`, {
      method: 'POST',
      body: JSON.stringify({ username: ['alice'], password: { $ne: '' } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(400);
  });

  test('DNs with , ( ) and \\ sign in and keep their groups', async () => {
    for (const [username, password, email] of [['jdoe', 'jane-pw', 'jane.doe@example.org'], ['dan', 'dan-pw', 'dan@example.org']] as const) {
      const { agent, res } = await login(plain, { username, password });
      expect(res.status).toBe(303);
      const me = await meOf(plain, agent);
      expect(me.body.user!.email).toBe(email);
      expect(me.body.organizations![0]!.teams.map((t) => t.name).sort()).toEqual(['everyone', 'ops']);
    }
  });

  test('a group with the same CN in another OU grants nothing; no LDAP group joins a team by its name', async () => {
    // bob is in cn=platform,ou=groups and cn=ops,ou=partners. The real ops group grants
    // org admin; SCIM and OIDC role groups are named like his partner group; the team
    // "ops" is named like its CN. None of them is his.
    await tx(async (t) => {
      await createRoleGroup(t, example.id, OPS, { orgRole: 'admin' }, 'ldap');
      await createRoleGroup(t, example.id, PARTNER_OPS, { orgRole: 'admin' }, 'scim');
      await createRoleGroup(t, example.id, PARTNER_OPS, { orgRole: 'admin' }, 'oidc:okta');
      await createRoleGroup(t, example.id, 'ops', { orgRole: 'admin' }, 'scim');
    });
    const bob = await login(plain, { username: 'bob', password: 'bob-pw' });
    expect(bob.res.status).toBe(303);
    const bobs = (await meOf(plain, bob.agent)).body.organizations!;
    expect(bobs).toEqual([expect.objectContaining({ name: 'Example', role: 'member' })]);
    expect(bobs[0]!.teams.map((t) => t.name).sort()).toEqual(['everyone', 'platform']);
    // The real cn=ops,ou=groups does grant it (whatever the DN's spelling in memberOf).
    const jdoe = await login(plain, { username: 'jdoe', password: 'jane-pw' });
    expect((await meOf(plain, jdoe.agent)).body.organizations).toEqual([expect.objectContaining({ name: 'Example', role: 'admin' })]);
  });

  test('group allow-list: only members of an allowed group (by whole DN) may sign in', async () => {
    const a = await app(ldapEnv(slapd.url, { LDAP_GROUP_ALLOW_LIST: PLATFORM }));
    expect((await login(a, { username: 'bob', password: 'bob-pw' })).res.status).toBe(303);
    const carol = await login(a, { username: 'carol', password: 'carol-pw' });
    expect(carol.res.status).toBe(403);
    expect(carol.text).toContain('not in a group allowed');
    expect((await login(a, { username: 'jdoe', password: 'jane-pw' })).res.status).toBe(403);
    // Semicolon-separated, since DNs hold commas; spelled differently from slapd.
    const byDn = await app(ldapEnv(slapd.url, { LDAP_GROUP_ALLOW_LIST: `CN=Ops,OU=Groups,${BASE};cn=nobody,${BASE}` }));
    expect((await login(byDn, { username: 'jdoe', password: 'jane-pw' })).res.status).toBe(303);
    // bob is in cn=ops,ou=partners: the same CN in another OU does not let him in.
    expect((await login(byDn, { username: 'bob', password: 'bob-pw' })).res.status).toBe(403);
    // A bare group name, which would match any same-named group, stops start-up.
    await expect(startApp(tdb.db, ldapEnv(slapd.url, { LDAP_GROUP_ALLOW_LIST: 'platform' }))).rejects.toThrow(/LDAP_GROUP_ALLOW_LIST .*"platform" is not a DN/);
  });

  test('LDAP_ID_ATTRIBUTE=objectGUID: the binary GUID is the identity; an entry without it is refused, never keyed on its DN', async () => {
    const ad = await app(ldapEnv(slapd.url, { LDAP_ID_ATTRIBUTE: 'objectGUID' }));
    const gwen = await login(ad, { username: 'gwen', password: 'gwen-pw' });
    expect(gwen.res.status).toBe(303);
    const account = await tdb.db('accounts').where({ email_key: 'gwen@example.org' }).first();
    // 16 raw bytes (not UTF-8) in the string form Active Directory shows
    expect(await tdb.db('external_identities').where({ account_id: account.id }).pluck('external_id')).toEqual(['80fe00ff-28c3-3412-5678-90abcdefa0b1']);
    expect((await login(ad, { username: 'gwen', password: 'gwen-pw' })).res.status).toBe(303); // and again: the same identity
    expect(await count('external_identities', { account_id: account.id })).toBe(1);

    // No objectGUID on carol's entry: a page that says so; nothing created, nothing linked.
    const [users, identities] = [await count('users'), await count('external_identities')];
    const carol = await login(ad, { username: 'carol', password: 'carol-pw' });
    expect(carol.res.status).toBe(403);
    expect(carol.text).toContain('Your directory entry has no objectGUID');
    expect((await meOf(ad, carol.agent)).status).toBe(401);
    // alice is known (by her entryUUID, and by her address): still refused, not matched by DN, uid or email
    const alice = await login(ad, { username: 'alice', password: 'alice-pw' });
    expect(alice.res.status).toBe(403);
    expect([await count('users'), await count('external_identities')]).toEqual([users, identities]);

    // Any attribute the entry lacks: the same refusal.
    const none = await app(ldapEnv(slapd.url, { LDAP_ID_ATTRIBUTE: 'employeeNumber' }));
    const bob = await login(none, { username: 'bob', password: 'bob-pw' });
    expect(bob.res.status).toBe(403);
    expect(bob.text).toContain('Your directory entry has no employeeNumber');
    expect([await count('users'), await count('external_identities')]).toEqual([users, identities]);
  });

  test('LDAP_ORGS / LDAP_DOMAINS: the directory captures, and applies its groups, only where it is trusted', async () => {
    const globex = await makeOrg(tdb.db, 'Globex');
    const globexOps = await makeTeam(tdb.db, globex.id, 'globex-ops');
    await makeMember(tdb.db, globex.id, { userName: 'boss@globex.example', orgRole: 'admin' });
    // alice (signed in before, through Example) also has a record in Globex, linked to her account.
    const alice = await tdb.db('accounts').where({ email_key: 'alice@example.org' }).first();
    const inGlobex = (await makeMember(tdb.db, globex.id, { userName: 'alice@example.org', orgRole: 'member' })).user;
    await tdb.db('users').where({ id: inGlobex.id }).update({ account_id: alice.id, linked_by: 'operator', linked_at: new Date() });
    await tx(async (t) => {
      await createRoleGroup(t, globex.id, OPS, { teamId: globexOps.id, teamRole: 'admin' }, 'ldap');
      await createRoleGroup(t, example.id, PLATFORM, { orgRole: 'admin' }, 'ldap');
    });
    // Example still has its LDAP role groups (OPS and PLATFORM grant org admin): alice is in both.
    const onlyGlobex = await app(ldapEnv(slapd.url, { LDAP_ORGS: 'globex' }));
    const a = await login(onlyGlobex, { username: 'alice', password: 'alice-pw' });
    expect(a.res.status).toBe(303);
    const orgs = (await meOf(onlyGlobex, a.agent)).body.organizations!;
    expect(orgs.find((o) => o.name === 'Globex')).toMatchObject({ role: 'member', teams: [expect.objectContaining({ name: 'globex-ops', role: 'admin' })] });
    // The session reaches only what the directory is trusted for; in Example nothing changed.
    expect(orgs.map((o) => o.name)).toEqual(['Globex']);
    const inExample = await tdb.db('memberships as m').join('users as u', 'u.id', 'm.user_id').where({ 'm.org_id': example.id, 'u.account_id': alice.id }).first('m.org_role');
    expect(inExample).toMatchObject({ org_role: 'member' });

    // carol's domain is Example's, which captures by domain, but does not trust this directory.
    const users = await count('users');
    const carol = await login(onlyGlobex, { username: 'carol', password: 'carol-pw' });
    expect(carol.res.status).toBe(403);
    expect(carol.text).toContain('do not have an account');
    // A directory that may assert only globex.example addresses: carol's is unverified, so no capture.
    const otherDomain = await app(ldapEnv(slapd.url, { LDAP_DOMAINS: 'globex.example' }));
    expect((await login(otherDomain, { username: 'carol', password: 'carol-pw' })).res.status).toBe(403);
    expect(await count('users')).toBe(users);
    // The control: trusted everywhere, the same directory captures her.
    expect((await login(plain, { username: 'carol', password: 'carol-pw' })).res.status).toBe(303);
    expect(await count('users')).toBe(users + 1);
  });

  test('LDAPS with the test CA; without the CA the certificate is refused (503)', async () => {
    const good = await app(ldapEnv(tlsOnly.urlTls, { LDAP_CA_FILE: tlsOnly.caFile }));
    const { agent, res } = await login(good, { username: 'bob', password: 'bob-pw' });
    expect(res.status).toBe(303);
    expect((await meOf(good, agent)).body.user!.email).toBe('bob@example.org');
    const noCa = await app(ldapEnv(tlsOnly.urlTls));
    expect((await login(noCa, { username: 'bob', password: 'bob-pw' })).res.status).toBe(503);
  });

  test('plain ldap:// to a server that refuses clear-text binds is an outage (503), not a wrong password', async () => {
    const clear = await app(ldapEnv(tlsOnly.url));
    const { res, text } = await login(clear, { username: 'bob', password: 'bob-pw' });
    expect(res.status).toBe(503);
    expect(text).toContain('cannot be reached');
  });

  test('StartTLS is refused at start-up, pointing to ldaps://', async () => {
    await expect(startApp(tdb.db, ldapEnv(tlsOnly.url, { LDAP_STARTTLS: 'true', LDAP_CA_FILE: tlsOnly.caFile }))).rejects.toThrow(ConfigError);
    await expect(startApp(tdb.db, ldapEnv(tlsOnly.url, { LDAP_STARTTLS: 'true' }))).rejects.toThrow(/ldaps:\/\//);
  });

  test('an unreadable CA file stops start-up, naming LDAP_CA_FILE', async () => {
    await expect(startApp(tdb.db, ldapEnv(slapd.urlTls, { LDAP_CA_FILE: '/nonexistent/ca.pem' }))).rejects.toThrow(/LDAP_CA_FILE/);
  });

  test('password guessing: after LDAP_LOGIN_MAX_FAILURES refused binds, 429 before any bind, for that account only, until the window passes', async () => {
    const a = await app(ldapEnv(slapd.url, { LDAP_LOGIN_MAX_FAILURES: '3' }));
    const bobKey = () => tdb.db('login_throttle').where('key', 'like', `ldap:account:${usernameDigest('bob')}|%`);
    for (let i = 0; i < 2; i++) expect((await login(a, { username: 'bob', password: `guess-${i}` })).res.status).toBe(401);
    // a malformed form is not a guess: it does not count
    expect((await login(a, { username: 'bob', password: ' ' })).res.status).toBe(400);
    // (express-rate-limit uncounts a request once its response has finished: poll)
    await expect.poll(async () => (await bobKey().first()).hits).toBe(2);
    expect((await login(a, { username: 'bob', password: 'guess-2' })).res.status).toBe(401);
    expect((await bobKey().first()).hits).toBe(3);
    // the table holds a digest, never the username typed
    expect(await tdb.db('login_throttle').where('key', 'like', '%bob%')).toHaveLength(0);
    const before = binds(slapd);
    // the right password, typed with other capitals: the same account, refused unheard
    const blocked = await login(a, { username: 'BOB', password: 'bob-pw' });
    expect(blocked.res.status).toBe(429);
    expect(Number(blocked.res.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(blocked.text).toContain('Too many failed sign-in attempts');
    expect(blocked.text).toContain('name="password"');
    expect((await meOf(a, blocked.agent)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(binds(slapd)).toBe(before);
    await expect.poll(async () => (await bobKey().first()).hits).toBe(3); // the refusal itself does not extend the count
    // another account from the same address is unaffected
    expect((await login(a, { username: 'alice', password: 'alice-pw' })).res.status).toBe(303);
    // the window passes (the counts are rows shared by every instance): bob signs in, and
    // the success clears his count
    await bobKey().update({ reset_at: new Date(Date.now() - 1000) });
    expect((await login(a, { username: 'bob', password: 'bob-pw' })).res.status).toBe(303);
    expect(await bobKey()).toHaveLength(0);
  });

  test('password spraying: LDAP_LOGIN_MAX_FAILURES_PER_ADDRESS refused binds from one address, whatever the usernames, then 429', async () => {
    await tdb.db('login_throttle').where('key', 'like', 'ldap:address:%').delete();
    const a = await app(ldapEnv(slapd.url, { LDAP_LOGIN_MAX_FAILURES_PER_ADDRESS: '4' }));
    for (const username of ['carol', 'dan', 'jdoe', 'nobody']) expect((await login(a, { username, password: 'Winter2026!' })).res.status).toBe(401);
    const sprayed = await login(a, { username: 'alice', password: 'alice-pw' });
    expect(sprayed.res.status).toBe(429);
    expect(sprayed.res.headers.get('retry-after')).toBeTruthy();
    await tdb.db('login_throttle').where('key', 'like', 'ldap:address:%').delete(); // leave the address clean for the rest of the file
  });

  test('an LDAP outage (503) does not count as a failed attempt', async () => {
    const port = await freePort();
    const down = await app(ldapEnv(`ldap://127.0.0.1:${port}`, { LDAP_TIMEOUT_MS: '500', LDAP_LOGIN_MAX_FAILURES: '1' }));
    for (let i = 0; i < 2; i++) expect((await login(down, { username: 'erin', password: 'erin-pw' })).res.status).toBe(503);
    await expect.poll(async () => (await tdb.db('login_throttle').where('key', 'like', `ldap:account:${usernameDigest('erin')}|%`).first())?.hits).toBe(0);
  });

  test('server down → 503 page, not "wrong password"', async () => {
    const down = await app(ldapEnv(`ldap://127.0.0.1:${await freePort()}`));
    const { res, text } = await login(down, { username: 'alice', password: 'alice-pw' });
    expect(res.status).toBe(503);
    expect(text).toContain('directory server cannot be reached');
    expect(text).not.toContain('Wrong username');
  });
});
