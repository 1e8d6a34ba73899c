import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../api/harness.ts';

// How the dashboard is served (no browser needed): one HTML shell, its modules and the
// vendored preact/htm from node_modules, all same-origin, under a CSP without 'unsafe-inline'.

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

describe('serving the dashboard', () => {
  it('serves the shell with an import map that the CSP admits by its hash, and nothing inline else', async () => {
    const res = await fetch(`${h.baseUrl}/admin`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await res.text();
    const map = /<script type="importmap">(.*?)<\/script>/s.exec(body)![1]!;
    expect(JSON.parse(map).imports).toEqual({ preact: '/ui/vendor/preact.mjs', 'preact/hooks': '/ui/vendor/hooks.mjs', htm: '/ui/vendor/htm.mjs' });
    const csp = res.headers.get('content-security-policy')!;
    const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!.split(' ');
    expect(scriptSrc).toEqual(["'self'", `'sha256-${createHash('sha256').update(map).digest('base64')}'`]);
    expect(csp).toMatch(/style-src 'self'/);
    expect(body.match(/<script/g)).toHaveLength(2);
    expect(body).not.toMatch(/style=/);
    expect(body).not.toMatch(/https?:\/\//);
  });

  it('serves preact, preact/hooks and htm as JavaScript from node_modules', async () => {
    for (const f of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
      const res = await fetch(`${h.baseUrl}/ui/vendor/${f}`);
      expect(res.status, f).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect((await res.text()).length).toBeGreaterThan(500);
    }
    expect((await fetch(`${h.baseUrl}/ui/vendor/react.mjs`)).status).toBe(404);
  });

  it('serves the dashboard\'s own modules and stylesheet, and nothing outside its folder', async () => {
    expect((await fetch(`${h.baseUrl}/ui/app/main.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${h.baseUrl}/ui/app/style.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${h.baseUrl}/ui/app/../index.ts`)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/ui/app/%2e%2e/index.ts`)).status).toBe(404);
  });

  it('sends / to the dashboard', async () => {
    const res = await fetch(`${h.baseUrl}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/admin');
  });
});
