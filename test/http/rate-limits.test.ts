import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { createPlatformCredential } from '../../src/domain/platform-credentials.ts';
import { createApiKey } from '../../src/domain/service-accounts.ts';
import { buildApp } from '../../src/http/app.ts';
import { SharedWindowStore } from '../../src/http/rate-limit/shared-window-store.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { accountFor, makeMember, makeOrg, testActor } from '../support/factories.ts';
import { callWith, ERROR_URN, orgWithToken } from '../scim/support.ts';

// Issue 14 item 11: request limits on SCIM and the admin API, per credential and per
// client address, 429 + Retry-After, counted in PostgreSQL so that instances share them.
// The clock is fixed (mid-window), so no window ends during a test whatever the date.

const NOW = new Date('2026-11-24T12:00:20Z'); // 20 s into a 60 s window
let t: TestDb;
const servers: Server[] = [];

beforeAll(async () => { t = await createTestDb(); });
afterAll(async () => {
  for (const s of servers) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
  await t.close();
});

async function instance(env: Record<string, string>): Promise<string> {
  const config = loadConfig({ SESSION_SECRET: 'test-session-secret-0123456789-abcdefghij', RATE_LIMIT_SYNC_MS: '0', ...env });
  const server = createServer(buildApp({ db: t.db, config, logger: createLogger('silent'), now: () => NOW }));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('SCIM request limits', () => {
  it('per token, then per address: 429 with Retry-After and a SCIM error body', async () => {
    const url = await instance({ RATE_LIMIT_SCIM_PER_TOKEN: '3', RATE_LIMIT_SCIM_PER_ADDRESS: '5' });
    const a = await orgWithToken(t.db, 'a');
    const b = await orgWithToken(t.db, 'b');
    for (let i = 0; i < 3; i++) expect((await callWith(url, a.token, 'GET', '/scim/v2/Users')).status).toBe(200);
    const refused = await callWith(url, a.token, 'GET', '/scim/v2/Users');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('40');
    expect(refused.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(refused.body).toMatchObject({ schemas: [ERROR_URN], status: '429', detail: expect.stringMatching(/token/) });
    // another token is not refused for a's requests …
    expect((await callWith(url, b.token, 'GET', '/scim/v2/Users')).status).toBe(200);
    // … until the address is over its own limit (5: a's four requests, b's first)
    const byAddress = await callWith(url, b.token, 'GET', '/scim/v2/Users');
    expect(byAddress.status).toBe(429);
    expect(byAddress.body.detail).toMatch(/address/);
    // made-up tokens count against the address too, before any token lookup
    expect((await callWith(url, 'obscim_madeup', 'GET', '/scim/v2/Users')).status).toBe(429);
  });

  it('instances sharing one database share the counts', async () => {
    const env = { RATE_LIMIT_SCIM_PER_TOKEN: '3', RATE_LIMIT_SCIM_PER_ADDRESS: '0' };
    const [one, two] = [await instance(env), await instance(env)];
    const c = await orgWithToken(t.db, 'shared');
    expect((await callWith(one, c.token, 'GET', '/scim/v2/Users')).status).toBe(200);
    expect((await callWith(two, c.token, 'GET', '/scim/v2/Users')).status).toBe(200);
    expect((await callWith(one, c.token, 'GET', '/scim/v2/Users')).status).toBe(200);
    expect((await callWith(two, c.token, 'GET', '/scim/v2/Users')).status).toBe(429);
    // one row per credential and window, keyed by a digest: never the token itself
    const rows = await t.db('login_throttle').where('key', 'like', 'rl:scim:token:%');
    expect(rows.some((r) => r.hits === 4)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(c.token);
  });
});

describe('admin API request limits', () => {
  it('per API key: 429 rate_limited with Retry-After', async () => {
    const url = await instance({ RATE_LIMIT_API_PER_TOKEN: '2', RATE_LIMIT_API_PER_ADDRESS: '0' });
    const org = await makeOrg(t.db);
    const { user: admin } = await makeMember(t.db, org.id, { orgRole: 'admin' });
    const adminAccount = await accountFor(t.db, admin.id);
    const { key } = await runInTransaction(t.db, { type: 'user', id: adminAccount, label: 'admin' }, (tx) => createApiKey(tx, org.id, { admin: true }, 'limits'));
    const get = () => fetch(`${url}/api/v1/orgs/${org.slug}/users`, { headers: { authorization: `Bearer ${key}` } });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('40');
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', details: { retryAfterSeconds: 40 } } });
    // a session cookie is a credential of its own
    const cookie = await fetch(`${url}/api/v1/me`, { headers: { cookie: 'orgbridge.sid=s%3Aabc.def' } });
    expect(cookie.status).toBe(401);
  });

  it("the decision API counts apart: the platform is not held to a person's limit, nor uses it up", async () => {
    const url = await instance({ RATE_LIMIT_API_PER_TOKEN: '2', RATE_LIMIT_API_PER_ADDRESS: '0', RATE_LIMIT_DECISIONS_PER_TOKEN: '4', RATE_LIMIT_DECISIONS_PER_ADDRESS: '0' });
    const org = await makeOrg(t.db);
    const { secret } = await runInTransaction(t.db, testActor, (tx) => createPlatformCredential(tx, org.id, 'limits'));
    const ask = () => fetch(`${url}/api/v1/decisions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ checks: [{ principal: { type: 'person', memberId: '00000000-0000-4000-8000-000000000000' }, permission: 'org.users.invite', resource: { type: 'organization', id: org.id } }] }) });
    for (let i = 0; i < 4; i++) expect((await ask()).status).toBe(200);
    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // The same credential's admin-API count is untouched by its decisions (2 left: 403, 403).
    const elsewhere = () => fetch(`${url}/api/v1/orgs/${org.slug}/users`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await elsewhere()).status).toBe(403);
    expect((await elsewhere()).status).toBe(403);
    expect((await elsewhere()).status).toBe(429);
  });

  it('per address, whatever the credential', async () => {
    const url = await instance({ RATE_LIMIT_API_PER_TOKEN: '0', RATE_LIMIT_API_PER_ADDRESS: '2' });
    expect((await fetch(`${url}/api/v1/me`)).status).toBe(401);
    expect((await fetch(`${url}/api/v1/me`, { headers: { authorization: 'Bearer x1' } })).status).toBe(401);
    const third = await fetch(`${url}/api/v1/me`, { headers: { authorization: 'Bearer x2' } });
    expect(third.status).toBe(429);
  });
});

describe('defaults', () => {
  it('leave Entra ID (25 requests/s per tenant, one token) and Okta far below the limits', () => {
    const { rateLimit } = loadConfig({});
    const perSecond = (n: number) => n / rateLimit.windowSeconds;
    expect(perSecond(rateLimit.scim.perToken)).toBeGreaterThanOrEqual(4 * 25);
    expect(perSecond(rateLimit.scim.perAddress)).toBeGreaterThanOrEqual(perSecond(rateLimit.scim.perToken));
    expect(rateLimit.syncMs).toBeGreaterThan(0); // batched: no round trip on the hot path
  });
});

describe('batched counting (syncMs > 0)', () => {
  it('answers from memory, adds pending hits in one statement per flush, learns the other instances\' totals', async () => {
    const now = () => NOW.getTime();
    const opts = { syncMs: 3_600_000, onError: (err: unknown) => { throw err; }, now };
    const one = new SharedWindowStore(t.db, 'test:batch:', opts);
    const two = new SharedWindowStore(t.db, 'test:batch:', opts);
    for (const s of [one, two]) s.init({ windowMs: 60_000 } as never);
    const hits = async (s: SharedWindowStore) => (await s.increment('k')).totalHits;
    expect([await hits(one), await hits(one), await hits(one)]).toEqual([1, 2, 3]);
    expect(await t.db('login_throttle').where('key', 'like', 'test:batch:%')).toEqual([]); // nothing written yet
    await one.flush();
    expect(await hits(two)).toBe(1); // two has not flushed: it knows only its own hit
    await two.flush();
    expect(await hits(two)).toBe(5); // 3 + 1 shared, + this one
    expect(await hits(one)).toBe(4); // one learns of two's hits at its next flush
    await one.flush();
    expect(await hits(one)).toBe(6); // 5 shared (two's last hit is still pending there), + this one
    await Promise.all([one.shutdown(), two.shutdown()]);
    const [row] = await t.db('login_throttle').where('key', 'like', 'test:batch:%');
    expect(row.hits).toBe(7);
    expect(new Date(row.reset_at).toISOString()).toBe('2026-11-24T12:01:00.000Z');
  });
});
