import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminLink, adminLinkCommand } from '../../src/cli/admin-link.ts';
import { UsageError } from '../../src/cli/context.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { hashSecret } from '../../src/lib/secrets.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { accountFor, makeMember, makeOrg, testActor } from '../support/factories.ts';
import { Agent } from '../support/https-fetch.ts';
import { startApp, type RunningApp } from '../support/sso-app.ts';

// orgbridge admin-link: a single-use, 15-minute sign-in link for an org admin when the
// IdP is down. Printed by the CLI, used in the browser, audited both times.

let tdb: TestDb;
let app: RunningApp;
let clock = new Date('2026-11-24T08:00:00Z');
const now = () => clock;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp(tdb.db, {}, {}, now);
  const org = await makeOrg(tdb.db, 'Globex');
  await accountFor(tdb.db, (await makeMember(tdb.db, org.id, { userName: 'admin@globex.example', orgRole: 'admin' })).user.id);
  await makeMember(tdb.db, org.id, { userName: 'member@globex.example', orgRole: 'member' });
});
afterAll(async () => {
  await app?.stop();
  await tdb?.close();
});

const deps = () => ({ db: tdb.db, config: app.deps.config, actor: testActor, now });
const tokenOf = (text: string) => /\/auth\/link\/(obg_[A-Za-z0-9_-]+)/.exec(text)![1]!;

describe('break-glass sign-in links', () => {
  test('prints a link valid 15 minutes; only its hash is stored; creation is audited', async () => {
    const text = await adminLink({ org: 'Globex', email: 'admin@globex.example' }, deps());
    expect(text).toContain(`${app.url}/auth/link/obg_`);
    expect(text).toContain('2026-11-24T08:15:00.000Z');
    const token = tokenOf(text);
    const row = await tdb.db('login_links').where({ token_hash: hashSecret(token) }).first();
    expect(row).toMatchObject({ purpose: 'break_glass', used_at: null });
    expect(JSON.stringify(await tdb.db('login_links'))).not.toContain(token);
    expect(await tdb.db('audit_log').where({ action: 'sso.break_glass.create', outcome: 'ok' })).toHaveLength(1);
  });

  test('GET only asks; POST signs in once; a second use is refused', async () => {
    const token = tokenOf(await adminLink({ org: 'globex', email: 'ADMIN@globex.example' }, deps()));
    const agent = new Agent();
    const page = await agent.request(`${app.url}/auth/link/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('method="post"');
    expect((await tdb.db('login_links').where({ token_hash: hashSecret(token) }).first()).used_at).toBeNull();

    const used = await agent.request(`${app.url}/auth/link/${token}`, { method: 'POST' });
    expect(used.status).toBe(303);
    const me = await agent.request(`${app.url}/auth/me`);
    expect(((await me.json()) as { user: { email: string }; authMethod: string })).toMatchObject({ user: { email: 'admin@globex.example' }, authMethod: 'break_glass' });
    expect(await tdb.db('audit_log').where({ action: 'sso.break_glass.use', outcome: 'ok' })).toHaveLength(1);

    const again = await new Agent().request(`${app.url}/auth/link/${token}`, { method: 'POST' });
    expect(again.status).toBe(410);
  });

  test('expires after 15 minutes', async () => {
    const token = tokenOf(await adminLink({ org: 'Globex', email: 'admin@globex.example' }, deps()));
    clock = new Date(clock.getTime() + 15 * 60_000 + 1000);
    try {
      const res = await new Agent().request(`${app.url}/auth/link/${token}`, { method: 'POST' });
      expect(res.status).toBe(410);
      expect(await tdb.db('audit_log').where({ action: 'sso.break_glass.use', outcome: 'refused' })).not.toHaveLength(0);
    } finally {
      clock = new Date('2026-11-24T08:00:00Z');
    }
  });

  test('a malformed or unknown token is refused', async () => {
    expect((await new Agent().request(`${app.url}/auth/link/nope`, { method: 'POST' })).status).toBe(410);
    expect((await new Agent().request(`${app.url}/auth/link/obg_${'A'.repeat(43)}`, { method: 'POST' })).status).toBe(410);
  });

  test('only for active admins of the organization; the CLI entry checks its arguments', async () => {
    await expect(adminLink({ org: 'Globex', email: 'member@globex.example' }, deps())).rejects.toBeInstanceOf(DomainError);
    await expect(adminLink({ org: 'Nope', email: 'admin@globex.example' }, deps())).rejects.toBeInstanceOf(UsageError);
    const ctx = { db: tdb.db, config: app.deps.config, actor: testActor };
    await expect(adminLinkCommand(ctx, ['--org', 'Globex'])).rejects.toBeInstanceOf(UsageError);
    await expect(adminLinkCommand(ctx, ['--bogus'])).rejects.toBeInstanceOf(UsageError);
    expect(await adminLinkCommand(ctx, ['--org', 'Globex', '--email', 'admin@globex.example'])).toContain('/auth/link/obg_');
  });
});
