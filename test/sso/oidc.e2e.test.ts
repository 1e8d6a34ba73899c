import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { approveDomain } from '../../src/domain/domain-verification.ts';
import { claimDomain } from '../../src/domain/domains.ts';
import { invite } from '../../src/domain/invitations.ts';
import { deactivateMember, setIdpOwned } from '../../src/domain/memberships.ts';
import { setDefaultTeam, setSeatLicense, updateOrganizationSettings } from '../../src/domain/organizations.ts';
import { createRoleGroup } from '../../src/domain/role-groups.ts';
import type { OrganizationRow, TeamRow } from '../../src/domain/types.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrg, makeTeam, testActor } from '../support/factories.ts';
import { Agent } from '../support/https-fetch.ts';
import { startOidcProvider, type TestOp } from '../support/oidc-provider.ts';
import { freePort } from '../support/ports.ts';
import { startApp, type RunningApp } from '../support/sso-app.ts';
import { me, reachCallback, signIn } from './oidc-flow.ts';

// End to end against a real OpenID Provider (oidc-provider on a loopback port, over TLS),
// through the full redirect flow, with the app built as in production.

let tdb: TestDb;
let op: TestOp;
let app: RunningApp;
let appNoAuto: RunningApp; // same database, AUTO_PROVISIONING=false
let acme: OrganizationRow;
let everyone: TeamRow;

const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number(((await tdb.db(table).where(where).count({ n: '*' }).first()) as { n: number }).n);
const tx = <T>(fn: Parameters<typeof runInTransaction<T>>[2]) => runInTransaction(tdb.db, testActor, fn);
const accountOf = (email: string) => tdb.db('accounts').where({ email_key: email.toLowerCase() }).first();

function account(id: string, email: string, extra: Record<string, unknown> = {}) {
  op.accounts.set(id, { email, email_verified: true, name: `Name ${id}`, ...extra });
}

beforeAll(async () => {
  tdb = await createTestDb();
  const [port, portNoAuto] = [await freePort(), await freePort()];
  op = await startOidcProvider({
    redirectUris: [
      ...[port, portNoAuto].map((p) => `http://127.0.0.1:${p}/auth/oidc/test/callback`),
      `http://127.0.0.1:${port}/auth/oidc/entra/callback`,
      `http://127.0.0.1:${port}/auth/oidc/out/callback`,
      `http://127.0.0.1:${port}/auth/oidc/globex/callback`,
      `http://127.0.0.1:${port}/auth/oidc/gdom/callback`,
    ],
    postLogoutRedirectUris: [`http://127.0.0.1:${port}/login`],
    publicClient: { clientId: 'orgbridge-public', redirectUris: [`http://127.0.0.1:${port}/auth/oidc/pub/callback`] },
  });
  const env = {
    // Three providers; "pub" is a public client (no OIDC_PUB_CLIENT_SECRET: PKCE only);
    // "entra" trusts the address on Entra ID's xms_edov claim instead of email_verified.
    // "out" also ends the IdP's session at sign-out (RP-Initiated Logout).
    // "globex" is trusted only for the organization globex; "gdom" may assert only
    // globex.example addresses (provider trust, issue 11).
    OIDC_PROVIDERS: 'test,pub,entra,out,globex,gdom',
    OIDC_GLOBEX_ISSUER: op.issuer,
    OIDC_GLOBEX_CLIENT_ID: op.clientId,
    OIDC_GLOBEX_CLIENT_SECRET: op.clientSecret,
    OIDC_GLOBEX_SCOPES: 'openid email profile groups',
    OIDC_GLOBEX_GROUPS_CLAIM: 'groups',
    OIDC_GLOBEX_ORGS: 'globex',
    OIDC_GDOM_ISSUER: op.issuer,
    OIDC_GDOM_CLIENT_ID: op.clientId,
    OIDC_GDOM_CLIENT_SECRET: op.clientSecret,
    OIDC_GDOM_DOMAINS: 'globex.example',
    OIDC_OUT_ISSUER: op.issuer,
    OIDC_OUT_CLIENT_ID: op.clientId,
    OIDC_OUT_CLIENT_SECRET: op.clientSecret,
    OIDC_OUT_LOGOUT: 'true',
    OIDC_ENTRA_ISSUER: op.issuer,
    OIDC_ENTRA_CLIENT_ID: op.clientId,
    OIDC_ENTRA_CLIENT_SECRET: op.clientSecret,
    OIDC_ENTRA_EMAIL_VERIFIED_CLAIM: 'xms_edov',
    OIDC_PUB_ISSUER: op.issuer,
    OIDC_PUB_CLIENT_ID: 'orgbridge-public',
    OIDC_PUB_DISPLAY_NAME: 'Public client',
    OIDC_TEST_ISSUER: op.issuer,
    OIDC_TEST_CLIENT_ID: op.clientId,
    OIDC_TEST_CLIENT_SECRET: op.clientSecret,
    OIDC_TEST_SCOPES: 'openid email profile groups',
    OIDC_TEST_GROUPS_CLAIM: 'groups',
  };
  app = await startApp(tdb.db, { ...env, PORT: String(port), AUTO_PROVISIONING: 'true' }, { oidcFetch: op.fetch });
  appNoAuto = await startApp(tdb.db, { ...env, PORT: String(portNoAuto), AUTO_PROVISIONING: 'false' }, { oidcFetch: op.fetch });
});

afterAll(async () => {
  await appNoAuto?.stop();
  await app?.stop();
  await op?.stop();
  await tdb?.close();
});

describe('OIDC sign-in against a real OpenID Provider', () => {
  test('the first person on an empty deployment becomes system admin', async () => {
    account('root', 'root@ops.example');
    const { agent, authUrl, response } = await signIn(app, op, 'root');
    // PKCE, state and nonce on every authorization request.
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('code_challenge')).toBeTruthy();
    expect(authUrl.searchParams.get('state')).toBeTruthy();
    expect(authUrl.searchParams.get('nonce')).toBeTruthy();
    expect(response.status).toBe(303);
    const { status, body } = await me(app, agent);
    expect(status).toBe(200);
    expect(body.user).toMatchObject({ email: 'root@ops.example', systemAdmin: true });
    expect(body.organizations).toEqual([]);
    expect(await count('audit_log', { action: 'system_admin.first' })).toBe(1);

    // Set up the organization the other tests sign in to; it needs an admin of its own.
    acme = await makeOrg(tdb.db, 'Acme');
    everyone = await makeTeam(tdb.db, acme.id, 'everyone');
    await tx(async (t) => {
      await claimDomain(t, acme.id, 'acme.example');
      await approveDomain(t, acme.id, 'acme.example');
      await setDefaultTeam(t, acme.id, everyone.id);
      await updateOrganizationSettings(t, acme.id, { autoProvisioning: true });
    });
    await makeMember(tdb.db, acme.id, { userName: 'boss@acme.example', orgRole: 'admin' });
  });

  test('a verified address in a claimed domain joins the org as member, in the default team; session cookie and returnTo', async () => {
    account('alice', 'alice@acme.example', { groups: [] });
    const agent = new Agent(op.caPem);
    const first = await agent.request(`${app.url}/login`);
    expect(await first.text()).toContain('/auth/oidc/test/login');
    const { callbackUrl } = await reachCallback(app, op, 'alice', { agent, returnTo: '/auth/me?from=test' });
    const before = agent.cookies(app.url).get('orgbridge.sid');
    expect(before).toBeTruthy();
    const res = await agent.request(callbackUrl);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${app.url}/auth/me?from=test`);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('orgbridge.sid='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i); // http://127.0.0.1 public URL
    // A new session id at sign-in.
    expect(agent.cookies(app.url).get('orgbridge.sid')).not.toBe(before);

    const { body } = await me(app, agent);
    expect(body.user).toMatchObject({ email: 'alice@acme.example', systemAdmin: false });
    expect(body.organizations).toEqual([
      expect.objectContaining({ name: 'Acme', role: 'member', status: 'active', modelsSeat: 'full', teams: [expect.objectContaining({ name: 'everyone', role: 'member' })] }),
    ]);
    const user = await tdb.db('users').where({ org_id: acme.id, email_key: 'alice@acme.example' }).first();
    const alice = await accountOf('alice@acme.example');
    expect(user).toMatchObject({ account_id: alice.id, linked_by: 'sign_in' });
    expect(await count('external_identities', { account_id: alice.id, provider: `oidc:${op.issuer}`, external_id: 'alice' })).toBe(1);
    expect(await count('audit_log', { action: 'member.add', target_id: user.id, org_id: acme.id })).toBe(1);
    expect(await count('audit_log', { action: 'sso.sign_in', target_id: alice.id })).toBe(1);
    expect(await count('sessions', { account_id: alice.id })).toBe(1);
  });

  test.each(['x@sub.acme.example', 'x@acme.example.evil', 'x@notacme.example'])('exact domain only: %s is refused and nothing is created', async (email) => {
    const id = `stranger-${email}`;
    account(id, email);
    const [users, accounts] = [await count('users'), await count('accounts')];
    const { response } = await signIn(app, op, id);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Ask an administrator');
    expect(await count('users')).toBe(users);
    expect(await count('accounts')).toBe(accounts);
  });

  test('a pending (unverified) domain claim captures nobody; a public email domain cannot be claimed at all', async () => {
    const initrode = await makeOrg(tdb.db, 'Initrode');
    await makeMember(tdb.db, initrode.id, { userName: 'bill@initrode.example', orgRole: 'admin' });
    await tx(async (t) => {
      await claimDomain(t, initrode.id, 'initrode.example');
      await updateOrganizationSettings(t, initrode.id, { autoProvisioning: true });
    });
    account('peter', 'peter@initrode.example');
    const [users, accounts] = [await count('users'), await count('accounts')];
    const pending = await signIn(app, op, 'peter');
    expect(pending.response.status).toBe(403);
    expect([await count('users'), await count('accounts')]).toEqual([users, accounts]);
    await expect(tx((t) => claimDomain(t, initrode.id, 'gmail.com'))).rejects.toMatchObject({ code: 'invalid' });
    // verified by the operator, the same sign-in is captured
    await tx((t) => approveDomain(t, initrode.id, 'initrode.example'));
    const captured = await signIn(app, op, 'peter');
    expect(captured.response.status).toBe(303);
    expect((await me(app, captured.agent)).body.organizations).toEqual([expect.objectContaining({ name: 'Initrode', role: 'member' })]);
  });

  test('auto-provisioning off (organization, then deployment): refused with "ask an admin", nothing created', async () => {
    account('carl', 'carl@acme.example');
    const users = await count('users');
    await tx((t) => updateOrganizationSettings(t, acme.id, { autoProvisioning: false }));
    const orgOff = await signIn(app, op, 'carl');
    expect(orgOff.response.status).toBe(403);
    expect(await orgOff.response.text()).toMatch(/Ask an administrator of your organization to invite you/);
    await tx((t) => updateOrganizationSettings(t, acme.id, { autoProvisioning: true }));
    const deploymentOff = await signIn(appNoAuto, op, 'carl');
    expect(deploymentOff.response.status).toBe(403);
    expect(await count('users')).toBe(users);
    expect(await count('external_identities', { external_id: 'carl' })).toBe(0);
    const refused = await tdb.db('audit_log').where({ action: 'sso.sign_in', outcome: 'refused', target_id: `oidc:${op.issuer}#carl` });
    expect(refused.length).toBe(2);
  });

  test('an invited person becomes active with the invitation role and teams, even with auto-provisioning off', async () => {
    const research = await makeTeam(tdb.db, acme.id, 'research');
    await tx((t) => invite(t, { orgId: acme.id, emailOrUserName: 'ivy@acme.example', orgRole: 'viewer', teamIds: [research.id], ttlDays: 7 }));
    account('ivy', 'ivy@acme.example');
    const { agent, response } = await signIn(appNoAuto, op, 'ivy');
    expect(response.status).toBe(303);
    const { body } = await me(appNoAuto, agent);
    expect(body.organizations).toEqual([
      expect.objectContaining({ name: 'Acme', role: 'viewer', status: 'active', teams: [expect.objectContaining({ name: 'research' })] }),
    ]);
  });

  test('a deactivated person is refused; deactivation ends access to that organization only', async () => {
    account('dora', 'dora@acme.example');
    const { agent } = await signIn(app, op, 'dora');
    expect((await me(app, agent)).status).toBe(200);
    const dora = await tdb.db('users').where({ org_id: acme.id, email_key: 'dora@acme.example' }).first();
    // Dora also belongs to Initech, whose record waits for her (SCIM-provisioned there).
    const initech = await makeOrg(tdb.db, 'Initech');
    await makeMember(tdb.db, initech.id, { userName: 'Dora@acme.example', orgRole: 'member' });
    const both = await signIn(app, op, 'dora');
    const places = (body: unknown) => (body as { organizations: { name: string; status: string }[] }).organizations.map((o) => `${o.name}:${o.status}`);
    expect(places((await me(app, both.agent)).body)).toEqual(['Acme:active', 'Initech:active']);

    await tx((t) => deactivateMember(t, acme.id, dora.id));
    // Her session and Initech stay; Acme says deactivated.
    const after = await me(app, both.agent);
    expect(after.status).toBe(200);
    expect(places(after.body)).toEqual(['Acme:deactivated', 'Initech:active']);
    expect((await signIn(app, op, 'dora')).response.status).toBe(303);

    // In no other organization, a deactivated person is refused.
    account('dan', 'dan@acme.example');
    await signIn(app, op, 'dan');
    const dan = await tdb.db('users').where({ org_id: acme.id, email_key: 'dan@acme.example' }).first();
    await tx((t) => deactivateMember(t, acme.id, dan.id));
    const again = await signIn(app, op, 'dan');
    expect(again.response.status).toBe(403);
    expect(await again.response.text()).toContain('deactivated');
  });

  test('a second subject at the same issuer never moves into an account that signs in there already: refused, audited', async () => {
    account('sub-one', 'shared-sub@acme.example');
    expect((await signIn(app, op, 'sub-one')).response.status).toBe(303);
    const owner = await accountOf('shared-sub@acme.example');
    account('sub-two', 'shared-sub@acme.example');
    const [accounts, identities] = [await count('accounts'), await count('external_identities')];
    const second = await signIn(app, op, 'sub-two');
    expect(second.response.status).toBe(403);
    expect(await second.response.text()).toContain('already signs in through this identity provider');
    expect((await me(app, second.agent)).status).toBe(401);
    expect(await count('accounts')).toBe(accounts);
    expect(await count('external_identities')).toBe(identities);
    expect(await count('external_identities', { external_id: 'sub-two' })).toBe(0);
    const refused = await tdb.db('audit_log').where({ action: 'sso.sign_in', outcome: 'refused', target_id: owner.id });
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toContain('another identity at this provider');
  });

  test('two records of one organization matching the verified address: refused with a page that says why, audited', async () => {
    await makeMember(tdb.db, acme.id, { userName: 'jo', email: 'jo@acme.example' });
    await makeMember(tdb.db, acme.id, { userName: 'jo-admin', email: 'JO@acme.example', orgRole: 'admin' });
    account('jo', 'jo@acme.example');
    const { response, agent } = await signIn(app, op, 'jo');
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('More than one member record of your organization matches your email address');
    expect((await me(app, agent)).status).toBe(401);
    expect(await tdb.db('users').where({ org_id: acme.id, email_key: 'jo@acme.example' }).whereNotNull('account_id')).toHaveLength(0);
    expect(await accountOf('jo@acme.example')).toBeUndefined();
    const refused = await tdb.db('audit_log').where({ action: 'sso.sign_in', outcome: 'refused', org_id: acme.id }).orderBy('id', 'desc').first();
    expect(refused.reason).toMatch(/2 member records/);
  });

  test('the takeover chain of the old model: another organization\'s record with the admin\'s name never reaches her account', async () => {
    // Hooli's admin signs in; her record there is linked to her account.
    const hooli = await makeOrg(tdb.db, 'Hooli');
    await makeMember(tdb.db, hooli.id, { userName: 'grace@hooli.example', orgRole: 'admin' });
    account('grace', 'grace@hooli.example');
    expect((await signIn(app, op, 'grace')).response.status).toBe(303);
    const grace = await accountOf('grace@hooli.example');
    // Acme's IdP writes a record with her userName and email, then rewrites its emails.
    const forged = await makeMember(tdb.db, acme.id, { userName: 'grace@hooli.example', email: 'grace@hooli.example', orgRole: 'admin' });
    await tdb.db('users').where({ id: forged.user.id }).update({ email: 'trudy@acme.example' });
    await tdb.db('user_emails').where({ user_id: forged.user.id }).update({ value: 'trudy@acme.example' });
    // A sign-in with the new, verified address is Trudy's own account, in Acme only.
    account('trudy', 'trudy@acme.example');
    const m = await signIn(app, op, 'trudy');
    expect(m.response.status).toBe(303);
    const trudy = (await me(app, m.agent)).body as { user: { id: string }; organizations: { name: string }[] };
    expect(trudy.user.id).not.toBe(grace.id);
    expect(trudy.organizations.map((o: { name: string }) => o.name)).toEqual(['Acme']);
    expect((await tdb.db('accounts').where({ id: grace.id }).first()).email).toBe('grace@hooli.example');
    expect(await tdb.db('users').where({ org_id: hooli.id, account_id: grace.id })).toHaveLength(1);
  });

  test.each([
    ['false', false],
    ['the string "true"', 'true'],
    ['absent', undefined],
  ])('email_verified %s: no account, and no link to the existing person with that address', async (_label, verified) => {
    const existing = await makeMember(tdb.db, acme.id, { userName: `eve-${String(verified)}@acme.example` });
    const id = `eve-${String(verified)}`;
    op.accounts.set(id, { email: existing.user.email!, ...(verified === undefined ? {} : { email_verified: verified }) });
    const [users, accounts] = [await count('users'), await count('accounts')];
    const { response } = await signIn(app, op, id);
    expect(response.status).toBe(403);
    expect(await count('users')).toBe(users);
    expect(await count('accounts')).toBe(accounts);
    expect(await count('external_identities', { external_id: id })).toBe(0);
  });

  test('a provider configured with xms_edov (Entra ID) trusts the address on that claim, and only on it', async () => {
    // Entra work accounts: no email_verified, xms_edov true → domain capture works.
    op.accounts.set('ina', { email: 'ina@acme.example', xms_edov: true, name: 'Ina' });
    const ok = await signIn(app, op, 'ina', { provider: 'entra' });
    expect(ok.response.status).toBe(303);
    expect((await me(app, ok.agent)).body.organizations).toEqual([expect.objectContaining({ name: 'Acme', role: 'member', status: 'active' })]);
    expect(await count('external_identities', { external_id: 'ina', provider: `oidc:${op.issuer}` })).toBe(1);
    // On that provider email_verified alone does not count, nor does xms_edov as a string.
    for (const [id, claims] of [
      ['jo', { email_verified: true }],
      ['kai', { xms_edov: 'true' }],
    ] as const) {
      op.accounts.set(id, { email: `${id}@acme.example`, ...claims });
      const users = await count('users');
      const refused = await signIn(app, op, id, { provider: 'entra' });
      expect(refused.response.status).toBe(403);
      expect(await count('users')).toBe(users);
    }
    // And the default provider keeps to email_verified: xms_edov there means nothing.
    op.accounts.set('lee', { email: 'lee@acme.example', xms_edov: true });
    expect((await signIn(app, op, 'lee')).response.status).toBe(403);
  });

  test('sign-out: a provider with OIDC_<NAME>_LOGOUT ends the IdP session too (RP-Initiated Logout); others only ours', async () => {
    account('otto', 'otto@acme.example');
    const signedIn = await signIn(app, op, 'otto', { provider: 'out' });
    expect(signedIn.response.status).toBe(303);
    const agent = signedIn.agent;
    const out = await agent.request(`${app.url}/logout`, { method: 'POST' });
    expect(out.status).toBe(303);
    const endSession = new URL(out.location!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${op.issuer}/session/end`);
    expect(endSession.searchParams.get('client_id')).toBe(op.clientId);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${app.url}/login`);
    const hint = JSON.parse(Buffer.from(endSession.searchParams.get('id_token_hint')!.split('.')[1]!, 'base64url').toString());
    expect(hint).toMatchObject({ sub: 'otto', aud: op.clientId, iss: op.issuer });
    // our session is gone before the browser leaves
    expect((await me(app, agent)).status).toBe(401);
    // at the OP: its confirmation form, "yes", and back to our sign-in page
    const confirm = await agent.request(endSession.href);
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    const action = /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"/.exec(page);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
    expect(action && xsrf, page).toBeTruthy();
    const done = await agent.request(new URL((action![1] ?? action![2])!.replace(/&amp;/g, '&'), op.issuer).href, { form: { xsrf: xsrf!, logout: 'yes' } });
    expect(done.location).toBe(`${app.url}/login`);
    // the OP's session is over: a new sign-in asks for the login again
    const again = await agent.request(`${app.url}/auth/oidc/out/login`);
    const atOp = await agent.follow(again.location!);
    expect(await atOp.text()).toContain('name="login"');

    // another instance (sharing the database) that has not discovered the provider yet
    // discovers it at sign-out and still sends the browser to the IdP
    const again2 = await signIn(app, op, 'otto', { provider: 'out' });
    expect(again2.response.status).toBe(303);
    again2.agent.cookies(appNoAuto.url).set('orgbridge.sid', again2.agent.cookies(app.url).get('orgbridge.sid')!);
    const elsewhere = await again2.agent.request(`${appNoAuto.url}/logout`, { method: 'POST' });
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.location).toMatch(new RegExp(`^${op.issuer}/session/end\\?`));
    expect((await me(app, again2.agent)).status).toBe(401); // the one session is gone everywhere

    // the default provider (logout off): sign-out ends only orgbridge's session, and the
    // session never held an ID token
    account('ulla', 'ulla@acme.example');
    const plain = await signIn(app, op, 'ulla');
    const ulla = await accountOf('ulla@acme.example');
    const row = await tdb.db('sessions').where({ account_id: ulla.id }).first();
    expect(JSON.stringify(row.data)).not.toContain('idToken');
    const plainOut = await plain.agent.request(`${app.url}/logout`, { method: 'POST' });
    expect(plainOut.location).toBe(`${app.url}/login`);
  });

  test('a groups claim grants org admin only through a role group; teams of the same name are joined', async () => {
    const platform = await makeTeam(tdb.db, acme.id, 'platform');
    await tx((t) => createRoleGroup(t, acme.id, 'acme-admins', { orgRole: 'admin' }, 'oidc:test'));
    account('gus', 'gus@acme.example', { groups: ['Administrators', 'admins', 'platform'] });
    const plain = await signIn(app, op, 'gus');
    let body = (await me(app, plain.agent)).body;
    expect(body.organizations![0]).toMatchObject({ role: 'member' });
    expect((body.organizations![0]!.teams as { name: string }[]).map((t) => t.name).sort()).toEqual(['everyone', 'platform']);
    expect(platform.name).toBe('platform');

    account('gus', 'gus@acme.example', { groups: ['acme-admins'] });
    const promoted = await signIn(app, op, 'gus');
    body = (await me(app, promoted.agent)).body;
    expect(body.organizations![0]).toMatchObject({ role: 'admin' });
  });

  test('a provider trusted only for globex neither captures sign-ins into acme nor applies acme’s role groups', async () => {
    const globex = await makeOrg(tdb.db, 'Globex');
    expect(globex.slug).toBe('globex');
    const globexEveryone = await makeTeam(tdb.db, globex.id, 'globex-everyone');
    const globexOps = await makeTeam(tdb.db, globex.id, 'globex-ops');
    await makeMember(tdb.db, globex.id, { userName: 'boss@globex.example', orgRole: 'admin' });
    await tx(async (t) => {
      await claimDomain(t, globex.id, 'globex.example');
      await approveDomain(t, globex.id, 'globex.example');
      await setDefaultTeam(t, globex.id, globexEveryone.id);
      await updateOrganizationSettings(t, globex.id, { autoProvisioning: true });
      // globex: its provider's "leads" → org admin; SCIM's and another provider's "staff" → roles that must not come
      await createRoleGroup(t, globex.id, 'leads', { orgRole: 'admin' }, 'oidc:globex');
      await createRoleGroup(t, globex.id, 'staff', { teamId: globexOps.id, teamRole: 'admin' }, 'scim');
      await createRoleGroup(t, globex.id, 'staff', { teamId: globexOps.id, teamRole: 'member' }, 'oidc:test');
      // acme: a role group even naming the globex provider applies nowhere but where it is trusted
      await createRoleGroup(t, acme.id, 'leads', { orgRole: 'admin' }, 'oidc:globex');
      await createRoleGroup(t, acme.id, 'leads', { orgRole: 'admin' }, 'oidc:test');
    });

    // An acme address through the globex provider: acme captures by domain, but does not trust it.
    account('gina', 'gina@acme.example', { groups: ['leads'] });
    const users = await count('users');
    const gina = await signIn(app, op, 'gina', { provider: 'globex' });
    expect(gina.response.status).toBe(403);
    expect(await gina.response.text()).toContain('Ask an administrator');
    expect(await count('users')).toBe(users);
    expect(await count('external_identities', { external_id: 'gina' })).toBe(0);
    // A globex address through it is captured into globex.
    account('gil', 'gil@globex.example');
    const gil = await signIn(app, op, 'gil', { provider: 'globex' });
    expect(gil.response.status).toBe(303);
    expect((await me(app, gil.agent)).body.organizations).toEqual([expect.objectContaining({ name: 'Globex', role: 'member', status: 'active' })]);

    // A person with a waiting record in both organizations, signing in through the globex
    // provider with groups leads and staff: only globex links (acme does not trust that
    // provider), and only globex's own role groups for that provider apply.
    const hal = await makeMember(tdb.db, acme.id, { userName: 'hal@globex.example' });
    await makeMember(tdb.db, globex.id, { userName: 'hal@globex.example', orgRole: 'member' });
    account('hal', 'hal@globex.example', { groups: ['leads', 'staff'] });
    const viaGlobex = await signIn(app, op, 'hal', { provider: 'globex' });
    expect(viaGlobex.response.status).toBe(303);
    const roles = async (agent: Agent) =>
      Object.fromEntries(((await me(app, agent)).body.organizations as { name: string; role: string; teams: { name: string; role: string }[] }[]).map((o) => [o.name, { role: o.role, teams: o.teams.map((t) => `${t.name}:${t.role}`) }]));
    expect(await roles(viaGlobex.agent)).toEqual({ Globex: { role: 'admin', teams: [] } });
    expect(await tdb.db('users').where({ id: hal.user.id }).first()).toMatchObject({ account_id: null });

    // The same person through "test" (trusted everywhere): acme's oidc:test role group now
    // applies, and globex's oidc:test "staff" mapping; still not the SCIM one.
    const viaTest = await signIn(app, op, 'hal');
    expect(viaTest.response.status).toBe(303);
    expect(await roles(viaTest.agent)).toEqual({ Acme: { role: 'admin', teams: [] }, Globex: { role: 'admin', teams: ['globex-ops:member'] } });

    // Signed in through the globex provider again, the session reaches Globex only, though
    // the account is Acme's admin too: a provider opens only the organizations it is trusted for.
    const again = await signIn(app, op, 'hal', { provider: 'globex' });
    expect(Object.keys(await roles(again.agent))).toEqual(['Globex']);
    expect((await again.agent.request(`${app.url}/api/v1/orgs/acme/me`)).status).toBe(404);
    expect((await again.agent.request(`${app.url}/api/v1/orgs/globex/me`)).status).toBe(200);
    expect((await viaTest.agent.request(`${app.url}/api/v1/orgs/acme/me`)).status).toBe(200);
  });

  test('OIDC_<NAME>_DOMAINS: an address outside the domains a provider may assert counts as unverified', async () => {
    // ian's acme address would be captured into acme; through gdom it is not an address at all.
    account('ian', 'ian@acme.example');
    const users = await count('users');
    const ian = await signIn(app, op, 'ian', { provider: 'gdom' });
    expect(ian.response.status).toBe(403);
    expect(await count('users')).toBe(users);
    // Nor does it link to the person who already has that address.
    const jen = await makeMember(tdb.db, acme.id, { userName: 'jen@acme.example' });
    account('jen', 'jen@acme.example');
    expect((await signIn(app, op, 'jen', { provider: 'gdom' })).response.status).toBe(403);
    expect(await accountOf('jen@acme.example')).toBeUndefined();
    expect(await tdb.db('users').where({ id: jen.user.id }).first()).toMatchObject({ account_id: null });
    // Through a provider without the limit, the same address links.
    expect((await signIn(app, op, 'jen')).response.status).toBe(303);
    expect(await count('external_identities', { account_id: (await accountOf('jen@acme.example')).id })).toBe(1);
    expect(await tdb.db('users').where({ id: jen.user.id }).first()).toMatchObject({ linked_by: 'sign_in' });
    // An address inside the domains works through gdom (globex captures it).
    account('kim', 'kim@globex.example');
    const kim = await signIn(app, op, 'kim', { provider: 'gdom' });
    expect(kim.response.status).toBe(303);
    expect((await me(app, kim.agent)).body.organizations).toEqual([expect.objectContaining({ name: 'Globex' })]);
  });

  test('a sign-in without a groups claim never removes an admin role given by hand; the record stays the organization\'s, the account follows the claims', async () => {
    const hand = await makeMember(tdb.db, acme.id, { userName: 'hanna@acme.example', orgRole: 'admin' });
    await tdb.db('users').where({ id: hand.user.id }).update({ display_name: 'Hanna (from SCIM)' });
    await tx((t) => setIdpOwned(t, acme.id, hand.user.id, ['displayName']));
    op.accounts.set('hanna', { email: 'hanna@acme.example', email_verified: true, name: 'Hanna From Claims', family_name: 'Claims' });
    const { agent } = await signIn(app, op, 'hanna');
    const { body } = await me(app, agent);
    expect(body.organizations![0]).toMatchObject({ role: 'admin' });
    const row = await tdb.db('users').where({ id: hand.user.id }).first();
    expect(row.display_name).toBe('Hanna (from SCIM)');
    expect(row.family_name).toBeNull(); // the organization's record: sign-in never writes it
    expect(await accountOf('hanna@acme.example')).toMatchObject({ display_name: 'Hanna From Claims', family_name: 'Claims' });
  });

  test('full seats gone: a viewer seat when the org says so, a refusal page otherwise', async () => {
    const seats = await makeOrg(tdb.db, 'Seatless');
    await makeMember(tdb.db, seats.id, { userName: 'admin@seatless.example', orgRole: 'admin' });
    await tx(async (t) => {
      await claimDomain(t, seats.id, 'seatless.example');
      await approveDomain(t, seats.id, 'seatless.example');
      await updateOrganizationSettings(t, seats.id, { autoProvisioning: true, seatOverflow: 'viewer' });
      await setSeatLicense(t, seats.id, { fullSeats: 1, viewerSeats: 1 });
    });
    account('v1', 'v1@seatless.example');
    const viewer = await signIn(app, op, 'v1');
    expect((await me(app, viewer.agent)).body.organizations![0]).toMatchObject({ modelsSeat: 'viewer' });
    account('v2', 'v2@seatless.example');
    const refused = await signIn(app, op, 'v2');
    expect(refused.response.status).toBe(403);
    expect(await refused.response.text()).toContain('no seat left');
    expect(await count('users', { email_key: 'v2@seatless.example' })).toBe(0);
  });

  test('several providers: /login lists each; a public client signs in with PKCE alone', async () => {
    const page = await (await new Agent().request(`${app.url}/login?returnTo=%2F%2Fevil.example`)).text();
    expect(page).toContain('href="/auth/oidc/test/login"');
    expect(page).toContain('href="/auth/oidc/pub/login"');
    expect(page).toContain('Sign in with Public client');
    expect(page).not.toContain('evil.example');
    account('pia', 'pia@acme.example');
    const { agent, authUrl, response } = await signIn(app, op, 'pia', { provider: 'pub' });
    expect(authUrl.searchParams.get('client_id')).toBe('orgbridge-public');
    expect(response.status).toBe(303);
    expect((await me(app, agent)).body).toMatchObject({ user: { email: 'pia@acme.example' } });
    // The same subject at the same issuer is one identity, whichever client it came through.
    expect(await count('external_identities', { external_id: 'pia' })).toBe(1);
  });

  test('an http:// issuer stops start-up, naming the variable', async () => {
    await expect(startApp(tdb.db, { OIDC_PROVIDERS: 'plain', OIDC_PLAIN_ISSUER: 'http://idp.example', OIDC_PLAIN_CLIENT_ID: 'x' })).rejects.toThrow(/OIDC_PLAIN_ISSUER/);
  });

  test('logout ends the session', async () => {
    account('leo', 'leo@acme.example');
    const { agent } = await signIn(app, op, 'leo');
    const leo = await accountOf('leo@acme.example');
    expect(await count('sessions', { account_id: leo.id })).toBe(1);
    const out = await agent.request(`${app.url}/logout`, { method: 'POST' });
    expect(out.status).toBe(303);
    expect(await count('sessions', { account_id: leo.id })).toBe(0);
    expect((await me(app, agent)).status).toBe(401);
  });
});

describe('OIDC responses that do not check out are refused', () => {
  test('state mismatch', async () => {
    account('sam', 'sam@acme.example');
    const { agent, callbackUrl } = await reachCallback(app, op, 'sam');
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', 'forged-state');
    const res = await agent.request(forged.href);
    expect(res.status).toBe(400);
    expect((await me(app, agent)).status).toBe(401);
    expect(await count('users', { email_key: 'sam@acme.example' })).toBe(0);
  });

  test('a replayed callback (same browser, and another one)', async () => {
    account('rita', 'rita@acme.example');
    const { agent, callbackUrl, response } = await signIn(app, op, 'rita');
    expect(response.status).toBe(303);
    const replay = await agent.request(callbackUrl);
    expect(replay.status).toBe(400);
    const other = new Agent(op.caPem);
    const replay2 = await other.request(callbackUrl);
    expect(replay2.status).toBe(400);
    expect((await me(app, other)).status).toBe(401);
  });

  test('an ID token with the wrong nonce (re-signed by the provider key)', async () => {
    account('nina', 'nina@acme.example');
    op.tamper = 'wrong-nonce';
    try {
      const { agent, response } = await signIn(app, op, 'nina');
      expect(response.status).toBe(400);
      expect((await me(app, agent)).status).toBe(401);
    } finally {
      op.tamper = null;
    }
    expect(await count('users', { email_key: 'nina@acme.example' })).toBe(0);
  });

  test('a tampered ID token (payload changed, signature kept)', async () => {
    account('tom', 'tom@acme.example');
    op.tamper = 'bad-signature';
    try {
      const { response } = await signIn(app, op, 'tom');
      expect(response.status).toBe(400);
    } finally {
      op.tamper = null;
    }
    expect(await count('accounts', { email_key: 'mallory@acme.example' })).toBe(0);
    expect(await count('accounts', { email_key: 'tom@acme.example' })).toBe(0);
  });

  test('a callback without code or error, and an unknown provider', async () => {
    const agent = new Agent(op.caPem);
    expect((await agent.request(`${app.url}/auth/oidc/test/callback`)).status).toBe(400);
    expect((await agent.request(`${app.url}/auth/oidc/nope/login`)).status).toBe(404);
  });
});
