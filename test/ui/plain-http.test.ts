import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { makeCast, startHarness, type Cast, type Harness } from '../api/harness.ts';
import { freePort } from '../support/ports.ts';
import { browserSkipReason, launch, signedIn, type BrowserRun } from './browser.ts';

// Issue 14 item 9. A deployment reached over plain http (a LAN address, PUBLIC_URL
// http://<ip>:8080) must not send `upgrade-insecure-requests` nor HSTS: Chromium would
// rewrite the dashboard's scripts, styles and form posts to https, which nothing answers,
// and the page stays on "Loading…". Both are sent only when PUBLIC_URL is https.

const skip = browserSkipReason();
if (skip) console.warn(skip);

describe('security headers follow PUBLIC_URL', () => {
  let plain: Harness;
  let tls: { baseUrl: string; server: Server };
  beforeAll(async () => {
    plain = await startHarness({ PUBLIC_URL: 'http://192.0.2.10:8080' });
    // The same database and settings behind https: only PUBLIC_URL differs.
    const server = createServer(buildApp({ ...plain.deps, config: { ...plain.deps.config, publicUrl: 'https://orgbridge.example' } }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    tls = { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }, 120_000);
  afterAll(async () => {
    await new Promise((r) => tls?.server.close(r));
    await plain?.close();
  });

  it('over http: no upgrade-insecure-requests, no HSTS (on pages, the API and SCIM)', async () => {
    for (const path of ['/admin', '/api/v1/me', '/scim/v2/ServiceProviderConfig', '/healthz']) {
      const res = await fetch(`${plain.baseUrl}${path}`);
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
      expect(res.headers.get('content-security-policy') ?? '', path).not.toMatch(/upgrade-insecure-requests/);
    }
    // COOP takes effect only on a trustworthy origin (Chromium logs that it ignored it)
    expect((await fetch(`${plain.baseUrl}/admin`)).headers.get('cross-origin-opener-policy')).toBeNull();
    // the rest of the policy stays
    const csp = (await fetch(`${plain.baseUrl}/admin`)).headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'self'/);
  });

  it('over https: both are sent', async () => {
    const res = await fetch(`${tls.baseUrl}/admin`);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('content-security-policy')).toMatch(/upgrade-insecure-requests/);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });
});

// Chromium counts loopback (127.0.0.1) as potentially trustworthy and does not upgrade its
// requests; a LAN address is not. The second case reaches the same server by a LAN-like
// name (lan.test, mapped to 127.0.0.1 inside Chromium only), which is how a colleague's
// browser reaches http://192.168.x.y:8080: that is where the old headers broke the page.
describe.skipIf(Boolean(skip))('the dashboard over plain http in Chromium', () => {
  let h: Harness;
  let c: Cast;
  let run: BrowserRun;
  let port: string;
  beforeAll(async () => {
    // PUBLIC_URL names the very port the harness listens on, over http.
    port = String(await freePort());
    h = await startHarness({ PUBLIC_URL: `http://lan.test:${port}` }, { port: Number(port) });
    c = await makeCast(h);
    run = await launch(['--host-resolver-rules=MAP lan.test 127.0.0.1']);
  }, 120_000);
  afterAll(async () => {
    await run?.close();
    await h?.close();
  });

  for (const host of ['127.0.0.1', 'lan.test']) {
    it(`loads the users page at http://${host} (scripts and styles fetched over http)`, async () => {
      const base = `http://${host}:${port}`;
      const { page, problems, context } = await signedIn(run, base, c.as.admin);
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      await page.goto(`${base}/admin#/${c.org.slug}/users`);
      await page.locator('tr[data-user="ada"]').waitFor({ timeout: 20_000 });
      expect(await page.getByText('Loading…').count()).toBe(0);
      expect(requested.filter((u) => u.startsWith('https:'))).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
