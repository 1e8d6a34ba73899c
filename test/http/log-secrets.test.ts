import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { createBreakGlassLink } from '../../src/domain/provisioning/break-glass.ts';
import { issueSetupToken } from '../../src/domain/provisioning/first-run.ts';
import { createScimToken } from '../../src/domain/scim-tokens.ts';
import { createApiKey } from '../../src/domain/service-accounts.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { newSecret } from '../../src/lib/secrets.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { accountFor, makeMember, makeOrg, testActor } from '../support/factories.ts';

// Issue 14 item 8: no secret reaches the log, at any level. The app logs at `trace` into
// a buffer while requests carry every kind of secret orgbridge knows: one-time link tokens
// in paths (break-glass, setup, invitation), OIDC `code` and `state` in a query string,
// bearer tokens and API keys in Authorization, session cookies; then the buffer is grepped
// for each of them.

let t: TestDb;
let server: Server;
let url: string;
const lines: string[] = [];
const secrets: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDb();
  // The setup token exists only on an empty deployment: issue it before anything else.
  secrets.setup = (await issueSetupToken(t.db, new Date()))!;
  const org = await makeOrg(t.db);
  const { user } = await makeMember(t.db, org.id, { orgRole: 'admin', userName: 'ada@acme.test', email: 'ada@acme.test' });
  const adaAccount = await accountFor(t.db, user.id);
  const { token: scim } = await runInTransaction(t.db, testActor, (tx) => createScimToken(tx, org.id, 'log test'));
  // An admin key is made by an admin (it lives as long as their admin power).
  const { key } = await runInTransaction(t.db, { type: 'user', id: adaAccount, label: 'ada' }, (tx) => createApiKey(tx, org.id, { admin: true }, 'log test'));
  secrets.scim = scim;
  secrets.apiKey = key;
  secrets.breakGlass = (await runInTransaction(t.db, testActor, (tx) => createBreakGlassLink(tx, { orgId: org.id, email: 'ada@acme.test', now: new Date() }))).token;
  secrets.invitation = newSecret('obinv');
  secrets.wrongScim = newSecret('obscim');
  secrets.code = 'SplxlOBeZQQYbYS6WxSbIA-oidc-code';
  secrets.state = 'af0ifjsldkj-oidc-state-value';
  secrets.sid = 's%3AXyZsessionid0123456789.signaturePart';
  const config = loadConfig({
    SESSION_SECRET: 'test-session-secret-0123456789-abcdefghij',
    OIDC_PROVIDERS: 'okta',
    OIDC_OKTA_ISSUER: 'https://127.0.0.1:9/issuer', // nothing listens: discovery fails, and that error is logged too
    OIDC_OKTA_CLIENT_ID: 'orgbridge',
  });
  const logger = createLogger('trace', new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
  server = createServer(buildApp({ db: t.db, config, logger }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.close();
});

describe('secrets in logs', () => {
  it('no request line, error or refusal carries a token, code, state, key or cookie', async () => {
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers, redirect: 'manual' }).then((r) => r.text());
    const post = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: 'x=1', redirect: 'manual' }).then((r) => r.text());
    await get(`/auth/link/${secrets.breakGlass}`);
    await post(`/auth/link/${secrets.breakGlass}`);
    await get(`/auth/setup/${secrets.setup}`);
    await get(`/auth/invite/${secrets.invitation}?from=mail`);
    await post(`/auth/invite/${secrets.invitation}`, { cookie: `orgbridge.sid=${secrets.sid}` });
    await get(`/auth/oidc/okta/callback?code=${secrets.code}&state=${secrets.state}&iss=x`);
    await get(`/auth/oidc/okta/callback?state=${secrets.state}&code=${secrets.code}`, { cookie: `orgbridge.sid=${secrets.sid}` });
    await get(`/auth/oidc/okta/login`);
    await get('/scim/v2/Users', { authorization: `Bearer ${secrets.scim}` });
    await get('/scim/v2/Users', { authorization: `Bearer ${secrets.wrongScim}` });
    await get(`/scim/v2/Users?access_token=${secrets.wrongScim}`);
    await get('/api/v1/me', { authorization: `Bearer ${secrets.apiKey}` });
    await get('/api/v1/me', { cookie: `orgbridge.sid=${secrets.sid}` });
    await get(`/nowhere/${secrets.invitation}?token=${secrets.setup}`);
    const text = lines.join('');
    // The requests were logged (at debug for 2xx/3xx, info for 4xx, error for 5xx) …
    const urls = lines.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter(Boolean);
    expect(urls).toContain('/auth/link/[redacted]');
    expect(urls).toContain('/auth/setup/[redacted]');
    expect(urls).toContain('/auth/invite/[redacted]?from=mail');
    expect(urls).toContain('/auth/oidc/okta/callback?code=[redacted]&state=[redacted]&iss=x');
    expect(urls).toContain('/scim/v2/Users');
    // … and no secret is anywhere in the log.
    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length, what).toBeGreaterThan(20);
      expect(text.includes(secret), `${what} in the log`).toBe(false);
      expect(text.includes(secret.slice(-20)), `${what} (its tail) in the log`).toBe(false);
    }
  });

  it('a secret in any log message or field, written by any code at any level, is redacted too', () => {
    const out: string[] = [];
    const logger = createLogger('trace', new Writable({ write(chunk, _e, cb) { out.push(String(chunk)); cb(); } }));
    const inv = newSecret('obinv');
    const g = newSecret('obg');
    logger.trace(`opening /auth/invite/${inv}`);
    logger.debug({ link: `https://orgbridge.example/auth/link/${g}` }, 'issued');
    logger.info({ err: new Error(`callback https://x.example/cb?state=${secrets.state}&code=${secrets.code} refused`) }, 'refused');
    logger.warn({ setupUrl: `https://orgbridge.example/auth/setup/${secrets.setup}` }, 'setup');
    logger.error({ header: `Bearer ${secrets.apiKey}` }, 'x');
    logger.fatal({ cookie: `orgbridge.sid=${secrets.sid}; other=1` }, 'y');
    // Secrets of the platform (issue 15) and of webhooks (issue 16), quoted in messages.
    const sak = newSecret('obsak');
    const plat = newSecret('obplat');
    const whsec = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    logger.info(`service account key ${sak} made; platform credential ${plat}; signing secret ${whsec}`);
    const text = out.join('');
    expect(out).toHaveLength(7);
    for (const s of [inv, g, secrets.state, secrets.code, secrets.setup, secrets.apiKey, secrets.sid, sak, plat, whsec]) expect(text.includes(s), s).toBe(false);
    expect(text).toContain('/auth/link/[redacted]');
    expect(text).toContain('other=1');
  });
});
