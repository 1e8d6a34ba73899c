import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { completeSetup, issueSetupToken } from '../../src/domain/provisioning/first-run.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { Agent } from '../support/https-fetch.ts';
import { startApp, type RunningApp } from '../support/sso-app.ts';

// First run (issue 12): an empty deployment prints a one-time setup link; the form creates
// the first organization, its domain and its admin (system admin), signs them in and lands
// on the dashboard. No CLI, no restart.

let tdb: TestDb;
let app: RunningApp;
const clock = new Date('2026-11-24T08:00:00Z');

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp(tdb.db, {}, {}, () => clock);
});
afterAll(async () => {
  await app?.stop();
  await tdb?.close();
});

const form = (values: Record<string, string>) => ({ form: values });

describe('first-run setup link', () => {
  test('GET shows the form and changes nothing; bad input is said on the form; POST creates, signs in, lands on the dashboard; the link then stops working', async () => {
    const token = (await issueSetupToken(tdb.db, clock))!;
    expect(token).toMatch(/^obsetup_/);
    expect(JSON.stringify(await tdb.db('instance').first())).not.toContain(token);
    const path = `/auth/setup/${token}`;
    const agent = new Agent();
    const page = await agent.request(`${app.url}${path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain(`action="${path}"`);
    expect(html).toContain('Your email address');

    const bad = await agent.request(`${app.url}${path}`, { method: 'POST', ...form({ orgName: 'Acme', adminEmail: 'not-an-email' }) });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('Your email address is not a valid address.');
    expect(badHtml).toContain('value="Acme"'); // what was typed stays
    const refused = await agent.request(`${app.url}${path}`, { method: 'POST', ...form({ orgName: 'Acme', domain: 'gmail.com', adminEmail: 'ada@acme.example' }) });
    expect(refused.status).toBe(400);
    expect(await tdb.db('organizations')).toHaveLength(0);

    const done = await agent.request(`${app.url}${path}`, { method: 'POST', ...form({ orgName: 'Acme Research', domain: 'acme.example', adminEmail: 'Ada@acme.example', adminName: 'Ada Lovelace' }) });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${app.url}/admin#/acme-research`);
    const me = await agent.request(`${app.url}/auth/me`);
    expect(me.status).toBe(200);
    const body = (await me.json()) as { user: { email: string; systemAdmin: boolean }; organizations: { name: string; role: string; status: string }[]; authMethod: string };
    expect(body.user).toMatchObject({ email: 'Ada@acme.example', systemAdmin: true });
    expect(body.organizations).toEqual([expect.objectContaining({ name: 'Acme Research', role: 'admin', status: 'active' })]);
    expect(body.authMethod).toBe('setup');
    expect(await tdb.db('org_domains').first()).toMatchObject({ domain: 'acme.example', status: 'verified', verified_by: 'operator' });
    expect(await tdb.db('audit_log').where({ action: 'instance.setup', outcome: 'ok' })).toHaveLength(1);
    expect(await tdb.db('instance').first()).toMatchObject({ setup_token_hash: null });

    // used up, and a deployment that is no longer empty issues no new link
    for (const method of ['GET', 'POST']) {
      const again = await new Agent().request(`${app.url}${path}`, { method, ...(method === 'POST' ? form({ orgName: 'Evil', adminEmail: 'mallory@evil.example' }) : {}) });
      expect(again.status).toBe(410);
    }
    expect(await issueSetupToken(tdb.db, clock)).toBeNull();
    expect(await tdb.db('organizations')).toHaveLength(1);
  });

  test('an unknown or malformed token is 410; an expired one too', async () => {
    for (const bad of [`obsetup_${'A'.repeat(43)}`, 'not-a-token']) expect((await new Agent().request(`${app.url}/auth/setup/${bad}`)).status).toBe(410);
    const t2 = await createTestDb();
    try {
      const token = (await issueSetupToken(t2.db, clock))!;
      const later = new Date(clock.getTime() + 25 * 3600_000);
      await expect(completeSetup(t2.db, token, { orgName: 'Late', domain: null, adminEmail: 'late@x.example', adminName: null }, later)).rejects.toMatchObject({ code: 'expired' });
      expect(await t2.db('organizations')).toHaveLength(0);
    } finally {
      await t2.close();
    }
  });
});

test('server-rendered pages share the dashboard\u2019s stylesheet', async () => {
  const html = await (await new Agent().request(`${app.url}/login`)).text();
  const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
  expect(href).toBe('/ui/app/style.css');
  const css = await new Agent().request(`${app.url}${href}`);
  expect(css.status).toBe(200);
  expect(css.headers.get('content-type')).toMatch(/text\/css/);
  expect(await css.text()).toContain('.server-page');
});
