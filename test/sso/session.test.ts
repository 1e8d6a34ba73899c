import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminLink } from '../../src/cli/admin-link.ts';
import { ConfigError } from '../../src/config/env.ts';
import { endSessionsOfAccount } from '../../src/domain/sessions.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { accountFor, makeMember, makeOrg, testActor } from '../support/factories.ts';
import { Agent } from '../support/https-fetch.ts';
import { startApp, type RunningApp } from '../support/sso-app.ts';

// Sessions live in the database: any instance reads them; ending an account's sessions signs it out everywhere.

let tdb: TestDb;
let a: RunningApp;
let b: RunningApp;
let accountId: string;

beforeAll(async () => {
  tdb = await createTestDb();
  a = await startApp(tdb.db, { TRUST_PROXY: 'true' });
  b = await startApp(tdb.db, {});
  const org = await makeOrg(tdb.db, 'Initech');
  accountId = await accountFor(tdb.db, (await makeMember(tdb.db, org.id, { userName: 'peter@initech.example', orgRole: 'admin' })).user.id);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await tdb?.close();
});

async function signedIn(app: RunningApp, headers: Record<string, string> = {}) {
  const text = await adminLink({ org: 'Initech', email: 'peter@initech.example' }, { db: tdb.db, config: app.deps.config, actor: testActor });
  const token = /\/auth\/link\/(obg_[A-Za-z0-9_-]+)/.exec(text)![1]!;
  const agent = new Agent();
  const res = await agent.request(`${app.url}/auth/link/${token}`, { method: 'POST', headers });
  return { agent, res };
}

describe('server-side sessions', () => {
  test('a session made by one instance is read by another (shared database)', async () => {
    const { agent } = await signedIn(a);
    const cookie = agent.cookies(a.url).get('orgbridge.sid')!;
    agent.cookies(b.url).set('orgbridge.sid', cookie);
    const res = await agent.request(`${b.url}/auth/me`);
    expect(res.status).toBe(200);
    const row = await tdb.db('sessions').where({ account_id: accountId }).first();
    expect(row.data.accountId).toBe(accountId);
    // The idle timeout (SESSION_IDLE_MINUTES, 60 by default) from the last request.
    expect(new Date(row.expires_at).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(new Date(row.expires_at).getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
  });

  test('ending a person\'s sessions signs them out everywhere', async () => {
    const one = await signedIn(a);
    const two = await signedIn(b);
    await endSessionsOfAccount(tdb.db, accountId);
    expect((await one.agent.request(`${a.url}/auth/me`)).status).toBe(401);
    expect((await two.agent.request(`${b.url}/auth/me`)).status).toBe(401);
  });

  test('the cookie is Secure when the public URL is https', async () => {
    const https = await startApp(tdb.db, { TRUST_PROXY: 'true', PUBLIC_URL: 'https://orgbridge.initech.example' });
    try {
      const { res } = await signedIn(https, { 'x-forwarded-proto': 'https' });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('orgbridge.sid='))!;
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
    } finally {
      await https.stop();
    }
  });

  test('/auth/me without a session is 401 JSON', async () => {
    const res = await new Agent().request(`${a.url}/auth/me`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthenticated', message: 'You are not signed in.' } });
  });

  test('/login lists nothing configured and points to admin-link', async () => {
    const res = await new Agent().request(`${a.url}/login`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('orgbridge admin-link');
  });

  test('no SESSION_SECRET: refused in production, a random one with a warning otherwise', async () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(startApp(tdb.db, { SESSION_SECRET: '' })).rejects.toThrow(ConfigError);
    } finally {
      process.env.NODE_ENV = before;
    }
    const dev = await startApp(tdb.db, { SESSION_SECRET: '' });
    await dev.stop();
  });
});

describe('the session store', () => {
  test('a save from a request in flight does not bring back a session that was ended', async () => {
    const { KnexSessionStore, markSignedIn } = await import('../../src/sso/session/store.ts');
    const store = new KnexSessionStore(tdb.db, 3600_000);
    const cookie = { originalMaxAge: 3600_000, expires: new Date(Date.now() + 3600_000) } as never;
    const saveAs = (sid: string, sess: Record<string, unknown>) =>
      new Promise<void>((resolve, reject) => store.set(sid, sess as never, (err) => (err ? reject(err) : resolve())));
    const save = (sid: string, data: Record<string, unknown>) => saveAs(sid, { cookie, ...data });
    const signedInAt = new Date().toISOString();
    // Unmarked, a signed-in session is never inserted; the one sign-in made is.
    await save('fresh-sid', { accountId, signedInAt });
    expect(await tdb.db('sessions').where({ sid: 'fresh-sid' }).first()).toBeUndefined();
    const fresh = { cookie, accountId, signedInAt };
    markSignedIn(fresh);
    await saveAs('fresh-sid', fresh);
    expect(await tdb.db('sessions').where({ sid: 'fresh-sid' }).first()).toBeTruthy();
    await endSessionsOfAccount(tdb.db, accountId);
    await save('fresh-sid', { accountId, signedInAt: new Date(Date.now() - 60_000).toISOString(), csrfToken: 'x' });
    expect(await tdb.db('sessions').where({ sid: 'fresh-sid' }).first()).toBeUndefined();
    // Sessions before sign-in (OIDC state, returnTo) are upserted as usual.
    await save('anon-sid', { returnTo: '/x' });
    expect(await tdb.db('sessions').where({ sid: 'anon-sid' }).first()).toMatchObject({ account_id: null });
    expect(await store.prune()).toBe(0);
  });
});
