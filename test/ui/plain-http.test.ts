import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCast, startHarness, type Cast, type Harness } from '../api/harness.ts';
import { browserSkipReason, launch, signedIn, type BrowserRun } from './browser.ts';

// Issue 14 item 9. A deployment reached over plain http (a LAN address, PUBLIC_URL
// http://<ip>:8080) must not send `upgrade-insecure-requests` nor HSTS: Chromium would
// rewrite the dashboard's scripts, styles and form posts to https, which nothing answers,
// and the page stays on "Loading…". Both are sent only when PUBLIC_URL is https.

const skip = browserSkipReason();
if (skip) console.warn(skip);

describe('security headers follow PUBLIC_URL', () => {
  let plain: Harness;
  let tls: Harness;
  beforeAll(async () => {
    plain = await startHarness({ PUBLIC_URL: 'http://192.0.2.10:8080' });
    tls = await startHarness({ PUBLIC_URL: 'https://orgbridge.example' });
  });
  afterAll(async () => {
    await plain?.close();
    await tls?.close();
  });

  it('over http: no upgrade-insecure-requests, no HSTS (on pages, the API and SCIM)', async () => {
    for (const path of ['/admin', '/api/v1/me', '/scim/v2/ServiceProviderConfig', '/healthz']) {
      const res = await fetch(`${plain.baseUrl}${path}`);
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
      expect(res.headers.get('content-security-policy') ?? '', path).not.toMatch(/upgrade-insecure-requests/);
    }
    // the rest of the policy stays
    const csp = (await fetch(`${plain.baseUrl}/admin`)).headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'self'/);
  });

  it('over https: both are sent', async () => {
    const res = await fetch(`${tls.baseUrl}/admin`);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('content-security-policy')).toMatch(/upgrade-insecure-requests/);
  });
});

describe.skipIf(Boolean(skip))('the dashboard over http://127.0.0.1 in Chromium', () => {
  let h: Harness;
  let c: Cast;
  let run: BrowserRun;
  beforeAll(async () => {
    // The harness listens on a free port; PUBLIC_URL names that very address over http.
    const probe = await startHarness();
    const port = new URL(probe.baseUrl).port;
    await probe.close();
    h = await startHarness({ PUBLIC_URL: `http://127.0.0.1:${port}` });
    c = await makeCast(h);
    run = await launch();
  }, 120_000);
  afterAll(async () => {
    await run?.close();
    await h?.close();
  });

  it('loads the users page (scripts and styles are fetched over http)', async () => {
    expect(h.baseUrl.startsWith('http://127.0.0.1:')).toBe(true);
    const { page, problems, context } = await signedIn(run, h.baseUrl, c.as.admin);
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${h.baseUrl}/admin#/${c.org.slug}/users`);
    await page.locator('tr[data-user="ada"]').waitFor({ timeout: 20_000 });
    expect(await page.getByText('Loading…').count()).toBe(0);
    expect(requested.filter((u) => u.startsWith('https:'))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
