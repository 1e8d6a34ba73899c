import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { recordActivity } from '../../src/domain/activity.ts';
import { hashSecret } from '../../src/lib/secrets.ts';
import { challengeValue } from '../../src/domain/domain-verification.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { makeMember } from '../support/factories.ts';
import { parseCsvObjects } from '../api/csv.ts';
import { makeCast, startHarness, type Cast, type Harness } from '../api/harness.ts';
import { browserSkipReason, launch, signedIn, type BrowserRun } from './browser.ts';

// The dashboard in a real Chromium: an organization admin's day (invite into a team,
// change a role, export CSV, custom role, SCIM token, the last-admin refusal) and a
// member who is offered nothing they may not do.

const skip = browserSkipReason();
if (skip) console.warn(skip);
// The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1 npx vitest run test/ui;
// ordinary runs write theirs to a temporary folder so the work tree stays clean.
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
  : mkdtempSync(join(tmpdir(), 'orgbridge-shots-'));

let h: Harness;
let c: Cast;
let run: BrowserRun;
let page: Page;
let problems: string[];
let url: (hash: string) => string;
// Domain verification asks this server (DNS_SERVERS), on loopback, never the network.
let dns: TestDnsServer;

// One fixed clock for the fixtures, the server and the page: relative dates ("3 days ago")
// and weekday-shaped activity must render the same on any day the suite runs.
const NOW = new Date('2026-11-24T12:00:00Z');

/** A lived-in organization: names, more people, 14 months of activity, one of each status. */
async function furnish(h: Harness, c: Cast): Promise<void> {
  const db = h.t.db;
  const names: Record<string, string> = { ada: 'Ada Lovelace', tess: 'Tess Ortiz', max: 'Max Planck', vic: 'Vic Chen', vera: 'Vera Rubin' };
  for (const [u, n] of Object.entries(names)) await db('users').where({ user_name: u }).update({ display_name: n });
  const extra = ['Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Claude Shannon', 'Barbara Liskov', 'Edsger Dijkstra', 'Radia Perlman', 'John McCarthy', 'Frances Allen', 'Donald Knuth'];
  const ids: string[] = [c.admin.id, c.teamAdmin.id, c.member.id, c.viewOnly.id, c.orgViewer.id];
  for (const n of extra) {
    const userName = n.toLowerCase().replace(/ /g, '.');
    const { user } = await makeMember(db, c.org.id, { userName, email: `${userName}@acme.example` });
    await db('users').where({ id: user.id }).update({ display_name: n });
    ids.push(user.id);
  }
  // Deterministic activity over the last 420 days: people join one after another (so
  // the monthly chart grows), weekdays are busier than weekends.
  const now = NOW.getTime();
  for (let d = 420; d >= 0; d--) {
    const day = new Date(now - d * 86_400_000 - 3_600_000);
    const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
    for (let i = 0; i < ids.length; i++) {
      const joined = d <= 420 - i * 26;
      if (joined && (d * 7 + i * 13) % 10 < (weekend ? 2 : 7)) await recordActivity(db, c.org.id, ids[i]!, day);
    }
  }
  const pending = await makeMember(db, c.org.id, { userName: 'linus@acme.example', status: 'pending' });
  await db('users').where({ id: pending.user.id }).update({ display_name: 'Linus Pauling' });
  const gone = await makeMember(db, c.org.id, { userName: 'rosalind.franklin', email: 'rosalind@acme.example', status: 'deactivated' });
  await db('users').where({ id: gone.user.id }).update({ display_name: 'Rosalind Franklin' });
}

beforeAll(async () => {
  if (skip) return;
  dns = await startDnsServer();
  // Two OIDC providers: okta (trusted for every organization) and partner (only for the
  // other organization), so the role-group page has sources to offer, and one to leave out.
  const providers = {
    OIDC_PROVIDERS: 'okta,partner',
    OIDC_OKTA_ISSUER: 'https://acme.okta.example',
    OIDC_OKTA_CLIENT_ID: 'orgbridge',
    OIDC_OKTA_DISPLAY_NAME: 'Okta',
    OIDC_PARTNER_ISSUER: 'https://login.partner.example',
    OIDC_PARTNER_CLIENT_ID: 'orgbridge',
    OIDC_PARTNER_ORGS: 'other-org',
  };
  h = await startHarness({ ...providers, DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: '200' }, { now: () => NOW });
  c = await makeCast(h);
  await furnish(h, c);
  run = await launch();
  ({ page, problems } = await signedIn(run, h.baseUrl, c.as.admin, { now: NOW }));
  url = (hash: string) => `${h.baseUrl}/admin#/${c.org.slug}${hash}`;
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await run?.close();
  await h?.close();
  await dns?.close();
});

const row = (p: Page, user: string) => p.locator(`tr[data-user="${user}"]`);

describe.skipIf(Boolean(skip))('organization dashboard in Chromium', () => {
  it('shows the users page and the activity chart (screenshots in docs/screenshots)', async () => {
    await page.goto(url('/users'));
    // waitFor (30 s) rather than expect.poll (1 s): the first load on a busy machine is slow.
    await row(page, 'ada').waitFor();
    await page.locator('[data-testid="activity-chart"] .bar').first().waitFor();
    expect(await page.title()).toMatch(/Organization dashboard/);
    await expect.poll(() => row(page, 'linus@acme.example').locator('.badge').textContent()).toBe('Pending invitation');
    expect(await row(page, 'rosalind.franklin').locator('td').nth(1).textContent()).toBe('Deactivated');
    await page.screenshot({ path: join(SHOTS, 'users-page.png'), fullPage: true });
    await page.locator('[data-testid="activity-chart"]').screenshot({ path: join(SHOTS, 'activity-chart.png') });
    await page.getByRole('button', { name: 'Months', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid="activity-chart"] .bar').count()).toBe(12);
    await page.locator('[data-testid="activity-chart"]').screenshot({ path: join(SHOTS, 'activity-chart-months.png') });
    await page.getByRole('button', { name: 'Days', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid="activity-chart"] .bar').count()).toBe(30);
    expect(problems).toEqual([]);
  });

  it('shows the activity summary of a user on keyboard focus of "last active"', async () => {
    const trigger = row(page, 'max').getByRole('button').first();
    await trigger.focus();
    const tip = row(page, 'max').getByRole('tooltip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toMatch(/Activity summary.*Added.*Last active.*days? active.*Last signed in/);
    // A record no one has signed in to yet says so (SPEC §1 "Link").
    await row(page, 'grace.hopper').getByRole('button').first().focus();
    await expect.poll(() => row(page, 'grace.hopper').getByRole('tooltip').textContent()).toMatch(/Not signed in yet/);
  });

  it('the skip link moves focus to the content and leaves the route alone (it is no organization named "main")', async () => {
    await page.goto(url('/users'));
    await page.reload();
    await row(page, 'ada').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.activeElement?.textContent?.trim() ?? ''")).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');
    expect(new URL(page.url()).hash).toBe(`#/${c.org.slug}/users`);
    expect(await page.getByText('No such organization').count()).toBe(0);
    expect(await row(page, 'ada').count()).toBe(1);
  });

  it('is usable with the keyboard: Tab reaches "Invite user", Enter opens the dialog, Escape closes it', async () => {
    await page.reload();
    await row(page, 'ada').waitFor();
    const seen: string[] = [];
    for (let i = 0; i < 15 && seen.at(-1) !== 'Invite user'; i++) {
      await page.keyboard.press('Tab');
      seen.push(String(await page.evaluate("document.activeElement?.textContent?.trim() ?? ''")));
    }
    // Skip link, the navigation, sign-out, then the page's first action.
    expect(seen).toEqual(['Skip to content', 'Users', 'Teams', 'Projects', 'Settings', 'Sign out', 'Invite user']);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Invite a user' });
    await dialog.waitFor();
    // tsconfig has no DOM lib: the page-side expressions are passed as strings.
    expect(await page.evaluate('document.activeElement?.id')).toBe('invite-who');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
  });

  it('an admin invites a user into a team', async () => {
    await page.getByRole('button', { name: 'Invite user', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a user' });
    await dialog.getByLabel('Email or username').fill('nina@acme.example');
    await dialog.getByLabel('Organization role').selectOption('viewer');
    await dialog.getByLabel('Models seat').selectOption('viewer');
    await dialog.getByLabel('Vision').check();
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Invited nina@acme.example' }).waitFor();
    // the link, shown once, is the one that accepts this invitation
    const linkDialog = page.getByRole('dialog', { name: 'Invitation link' });
    const link = await linkDialog.getByLabel('Invitation link').inputValue();
    expect(link).toMatch(/\/auth\/invite\/obinv_[A-Za-z0-9_-]{43}$/);
    await linkDialog.getByRole('button', { name: 'Done', exact: true }).click();
    await expect.poll(() => linkDialog.isVisible()).toBe(false);
    await page.getByLabel('Search users').fill('nina');
    await expect.poll(() => row(page, 'nina@acme.example').locator('.badge').textContent()).toBe('Pending invitation');
    const inv = await h.t.db('invitations as i').join('users as u', 'u.id', 'i.user_id').where('u.email', 'nina@acme.example').first('i.*');
    expect(inv).toMatchObject({ org_role: 'viewer', team_ids: [c.teamA.id] });
    expect(inv.token_hash).toBe(hashSecret(link.split('/').at(-1)!));
    await page.getByLabel('Search users').fill('');
  });

  it('arrow keys on a focused role select change nothing until the change is confirmed', async () => {
    const select = row(page, 'vic').getByLabel('Organization role of vic');
    await select.focus();
    await page.keyboard.press('ArrowDown');
    const dialog = page.getByRole('dialog', { name: 'Change role' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("Change vic's organization role from Member to Viewer?");
    await page.keyboard.press('Escape');
    await expect.poll(() => select.inputValue()).toBe('member');
    expect((await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.viewOnly.id }).first()).org_role).toBe('member');
    expect(await h.t.db('audit_log').where({ org_id: c.org.id, action: 'member.role', target_id: c.viewOnly.id })).toHaveLength(0);
  });

  it('an admin changes a role', async () => {
    await row(page, 'max').getByLabel('Organization role of max').selectOption('viewer');
    await page.getByRole('dialog', { name: 'Change role' }).getByRole('button', { name: 'Change role', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Updated max.' }).waitFor();
    expect((await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.member.id }).first()).org_role).toBe('viewer');
  });

  it('an admin exports the users as CSV and the rows are right', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export as CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`${c.org.slug}-users.csv`);
    const rows = parseCsvObjects(readFileSync((await download.path())!, 'utf8'));
    expect(rows).toHaveLength(18);
    expect(rows.find((r) => r.Username === 'max')).toMatchObject({ Name: 'Max Planck', Role: 'viewer', Email: 'max@acme.example', Teams: 'Vision', Status: 'active' });
    expect(rows.find((r) => r.Email === 'nina@acme.example')).toMatchObject({ Role: 'viewer', Status: 'pending' });
    expect(rows.find((r) => r.Username === 'rosalind.franklin')!.Status).toBe('deactivated');
    expect(rows.find((r) => r.Username === 'ada')!['Last active']).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('an admin is refused, with a clear message, when demoting the last admin', async () => {
    const select = row(page, 'ada').getByLabel('Organization role of ada');
    await select.selectOption('member');
    const ask = page.getByRole('dialog', { name: 'Change role' });
    expect(await ask.textContent()).toContain('They will no longer administer the organization.');
    await ask.getByRole('button', { name: 'Change role', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'last-admin rule' }).waitFor();
    expect(await alert.textContent()).toMatch(/at least one active admin.*Make someone else an admin first/);
    await expect.poll(() => select.inputValue()).toBe('admin');
    expect((await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.admin.id }).first()).org_role).toBe('admin');
    expect(await h.t.db('audit_log').where({ org_id: c.org.id, action: 'member.role', outcome: 'refused', target_id: c.admin.id }).first()).toBeDefined();
    await page.screenshot({ path: join(SHOTS, 'last-admin-refusal.png') });
  });

  it('an admin creates a custom role', async () => {
    await page.goto(url('/settings/roles'));
    await page.getByRole('button', { name: 'Create a role', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a custom role' });
    await dialog.getByLabel('Name', { exact: true }).fill('Report writer');
    await dialog.getByLabel('Description (optional)').fill('View-only, plus writing reports');
    await dialog.getByRole('radio', { name: 'View-only' }).check();
    await dialog.getByLabel('Create reports').check();
    await dialog.getByRole('button', { name: 'Create role', exact: true }).click();
    await page.locator('tr[data-role="Report writer"]').waitFor();
    expect(await page.locator('tr[data-role="Report writer"]').textContent()).toContain('Create reports');
    const stored = await h.t.db('custom_roles').where({ org_id: c.org.id, name: 'Report writer' }).first();
    expect(stored).toMatchObject({ base: 'viewer', permissions: ['reports.create'] });
  });

  it('an admin creates a SCIM token (shown once, copy dialog) and revokes it', async () => {
    await page.goto(url('/settings/tokens'));
    await page.locator('#scimtokens-label').fill('Okta production');
    await page.getByRole('button', { name: 'Create SCIM token', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New SCIM token' });
    const secret = await dialog.locator('#secret-value').inputValue();
    expect(secret).toMatch(/^obscim_/);
    const stored = await h.t.db('scim_tokens').where({ org_id: c.org.id, label: 'Okta production' }).first();
    expect(stored.token_hash).toBe(hashSecret(secret));
    await page.screenshot({ path: join(SHOTS, 'scim-token-once.png') });
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    const tokenRow = page.locator('tr[data-label="Okta production"]');
    expect(await tokenRow.textContent()).not.toContain(secret);
    await tokenRow.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('dialog', { name: 'Revoke SCIM token' }).getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => tokenRow.locator('.badge').textContent()).toBe('Revoked');
    expect((await h.t.db('scim_tokens').where({ id: stored.id }).first()).revoked_at).not.toBeNull();
  });

  it('an admin creates an admin API key that expires; the list shows when, and its last use', async () => {
    await page.goto(url('/settings/tokens'));
    await page.locator('#apikeys-label').fill('Nightly sync');
    await page.locator('#apikeys-expiry').selectOption('30');
    await page.getByRole('button', { name: 'Create API key', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New API key' });
    expect(await dialog.locator('#secret-value').inputValue()).toMatch(/^obkey_/);
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    const stored = await h.t.db('api_keys').where({ org_id: c.org.id, label: 'Nightly sync' }).first();
    expect(stored).toMatchObject({ kind: 'admin', revoked_at: null });
    expect(stored.expires_at).not.toBeNull();
    const row = page.locator('tr[data-label="Nightly sync"]');
    await expect.poll(() => row.locator('td').nth(1).textContent()).not.toBe('Never');
    expect(await row.locator('td').nth(2).textContent()).toBe('Never');
  });

  it('an admin creates a team, claims a domain, sets the default team and the billing admin', async () => {
    await page.goto(url('/teams'));
    await page.getByRole('button', { name: 'Create team', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a team' });
    await dialog.getByLabel('Team name').fill('Robotics');
    await dialog.getByLabel('Storage type').selectOption('s3');
    await dialog.getByRole('button', { name: 'Create team', exact: true }).click();
    await page.getByRole('heading', { name: 'Robotics' }).waitFor();
    const team = await h.t.db('teams').where({ org_id: c.org.id, name: 'Robotics' }).first();
    expect(team.storage_type).toBe('s3');

    await page.goto(url('/settings/general'));
    await page.getByLabel('Claim a domain').fill('Acme.Example');
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Claimed acme.example. Publish its TXT record, then choose Verify now.' }).waitFor();
    // Pending, with the record to publish.
    const domainRow = page.getByRole('table', { name: 'Claimed domains' }).locator('tr[data-domain="acme.example"]');
    await expect.poll(() => domainRow.locator('.badge').textContent()).toBe('Pending');
    const claimRow = await h.t.db('org_domains').where({ org_id: c.org.id, domain: 'acme.example' }).first();
    const value = challengeValue(claimRow.challenge_token);
    expect(await domainRow.textContent()).toContain('_orgbridge-challenge.acme.example');
    expect(await domainRow.textContent()).toContain(value);
    await page.locator('section[aria-labelledby="domains-title"]').screenshot({ path: join(SHOTS, 'domain-pending.png') });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await domainRow.getByRole('button', { name: 'Copy record value for acme.example' }).click();
    await expect.poll(() => domainRow.getByRole('button', { name: 'Copy record value for acme.example' }).textContent()).toBe('Copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(value);
    // Not in DNS yet: it says why and stays pending; once published, Verify now verifies it.
    await domainRow.getByRole('button', { name: 'Verify acme.example now' }).click();
    await page.getByRole('alert').filter({ hasText: 'acme.example is not verified yet: _orgbridge-challenge.acme.example does not exist in DNS yet.' }).waitFor();
    expect(await domainRow.locator('.badge').textContent()).toBe('Pending');
    dns.txt.set('_orgbridge-challenge.acme.example', [value]);
    await domainRow.getByRole('button', { name: 'Verify acme.example now' }).click();
    await page.getByRole('status').filter({ hasText: 'acme.example is verified.' }).waitFor();
    await expect.poll(() => domainRow.locator('.badge').textContent()).toBe('Verified');
    expect(await domainRow.getByRole('button', { name: 'Verify acme.example now' }).count()).toBe(0);
    // Claiming it again says it is already ours; a public email provider is refused with the reason.
    await page.getByLabel('Claim a domain').fill('acme.example');
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByRole('status').filter({ hasText: "acme.example is already this organization's (verified)." }).waitFor();
    await page.getByLabel('Claim a domain').fill('gmail.com');
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'gmail.com is a public email provider' }).waitFor();
    expect(await h.t.db('org_domains').where({ domain: 'gmail.com' })).toHaveLength(0);
    await page.getByLabel('Default team for captured users').selectOption(team.id);
    await page.getByRole('status').filter({ hasText: 'Default team saved.' }).waitFor();
    await page.getByLabel('Billing admin').selectOption(c.admin.id);
    await page.getByRole('status').filter({ hasText: 'Billing admin saved.' }).waitFor();
    expect(await h.t.db('organizations').where({ id: c.org.id }).first()).toMatchObject({ default_team_id: team.id, billing_admin_user_id: c.admin.id });
    expect(await page.getByRole('switch', { name: /Auto-provisioning/ }).isDisabled()).toBe(true);
  });

  it('an admin maps an IdP group to a team role, for the groups of one source', async () => {
    const earlier = problems.length; // (the last-admin test provokes a 409 on purpose)
    await page.goto(url('/settings/role-groups'));
    const source = page.getByLabel('Source', { exact: true });
    // SCIM and the sign-in providers that trust this organization; not the partner's.
    await expect.poll(() => source.locator('option').allTextContents()).toEqual(['SCIM', 'Okta (OIDC)']);
    await source.selectOption('oidc:okta');
    await page.getByLabel('IdP group').fill('vision-leads');
    await page.getByLabel('grants').selectOption(`team:${c.teamA.id}:admin`);
    await page.getByRole('button', { name: 'Add mapping', exact: true }).click();
    const row = page.locator('tr[data-group="vision-leads"][data-source="oidc:okta"]');
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(['Okta (OIDC)', 'Admin of Vision', 'Remove']);
    expect(await h.t.db('role_groups').where({ org_id: c.org.id, group_name: 'vision-leads' }).first()).toMatchObject({ source: 'oidc:okta', team_id: c.teamA.id, team_role: 'admin' });
    // The same group name from SCIM is another mapping.
    await source.selectOption('scim');
    await page.getByLabel('IdP group').fill('vision-leads');
    await page.getByLabel('grants').selectOption(`team:${c.teamA.id}:view-only`);
    await page.getByRole('button', { name: 'Add mapping', exact: true }).click();
    await page.locator('tr[data-group="vision-leads"][data-source="scim"]').waitFor();
    expect(await h.t.db('role_groups').where({ org_id: c.org.id, group_name: 'vision-leads' }).orderBy('source').pluck('source')).toEqual(['oidc:okta', 'scim']);
    expect(problems.slice(earlier)).toEqual([]);
  });

  it('an admin sees seat usage against the license, without the form to change it', async () => {
    await page.goto(`${h.baseUrl}/admin#/${c.org.slug}/settings/seats`);
    await page.getByRole('heading', { name: 'Models seats' }).waitFor();
    const used = await h.t.db('memberships').where({ org_id: c.org.id, models_seat: 'full' }).whereNot('status', 'deactivated').count({ n: '*' }).first();
    await expect.poll(() => page.locator('table.seats tbody tr').first().locator('td').first().textContent()).toBe(String(used!.n));
    expect(await page.locator('table.seats tbody tr').first().locator('td').nth(1).textContent()).toBe('No limit');
    expect(await page.getByRole('button', { name: 'Save license', exact: true }).count()).toBe(0);
  });

  it('a team admin manages their own team, and nothing else', async () => {
    const ta = await signedIn(run, h.baseUrl, c.as.teamAdmin, { now: NOW });
    try {
      await ta.page.goto(`${h.baseUrl}/admin#/${c.org.slug}/teams/${c.teamA.id}`);
      await ta.page.getByRole('heading', { name: 'Vision' }).waitFor();
      await ta.page.getByLabel('Add a member of the organization').fill('vera');
      await ta.page.getByRole('button', { name: 'Add', exact: true }).click();
      await ta.page.getByRole('status').filter({ hasText: 'Added vera' }).waitFor();
      await ta.page.getByLabel('Team role of vera').selectOption('view-only');
      // A role select only proposes; the dialog sends it.
      const ask = ta.page.getByRole('dialog', { name: 'Change team role' });
      expect(await ask.textContent()).toContain("Change vera's role in Vision from Member to View-only?");
      await ask.getByRole('button', { name: 'Change role', exact: true }).click();
      await ta.page.getByRole('status').filter({ hasText: "Changed vera's team role" }).waitFor();
      expect(await h.t.db('team_members').where({ team_id: c.teamA.id, user_id: c.orgViewer.id }).first()).toMatchObject({ role: 'view-only' });
      expect(await ta.page.getByRole('link', { name: 'Users' }).count()).toBe(0);
      expect(await ta.page.getByRole('button', { name: 'Delete team', exact: true }).count()).toBe(0);
    } finally {
      await ta.context.close();
    }
  });

  it('a member sees no admin controls', async () => {
    const m = await signedIn(run, h.baseUrl, c.as.viewOnly, { now: NOW });
    try {
      await m.page.goto(`${h.baseUrl}/admin`);
      await m.page.getByRole('heading', { name: 'Teams' }).waitFor();
      expect(m.page.url()).toMatch(new RegExp(`#/${c.org.slug}$`));
      const nav = m.page.getByRole('navigation', { name: 'Dashboard' });
      expect(await nav.getByRole('link').allTextContents()).toEqual(['Teams', 'Projects']);
      expect(await m.page.getByRole('button', { name: 'Create team', exact: true }).count()).toBe(0);
      await m.page.getByRole('link', { name: 'Vision' }).click();
      await m.page.getByRole('heading', { name: 'Vision' }).waitFor();
      await m.page.getByRole('heading', { name: 'Members' }).waitFor();
      expect(await m.page.locator('main select').count()).toBe(0);
      expect(await m.page.locator('main input').count()).toBe(0);
      expect(await m.page.getByRole('button', { name: /Remove|Delete|Add|Save/ }).count()).toBe(0);
      await m.page.screenshot({ path: join(SHOTS, 'member-team-page.png') });
      await m.page.goto(`${h.baseUrl}/admin#/${c.org.slug}/users`);
      await m.page.getByText("You do not have access to the organization's users.").waitFor();
      await m.page.goto(`${h.baseUrl}/admin#/${c.org.slug}/settings`);
      await m.page.getByText("You do not have access to the organization's settings.").waitFor();
      expect(m.problems).toEqual([]);
    } finally {
      await m.context.close();
    }
  });

  it('a system admin who is no member sees the activity dashboard and may create teams, but not the people', async () => {
    const s = await signedIn(run, h.baseUrl, c.as.sysAdmin, { now: NOW });
    try {
      await s.page.goto(`${h.baseUrl}/admin#/${c.org.slug}`);
      await s.page.getByRole('heading', { name: 'Activity' }).waitFor();
      await s.page.locator('[data-testid="activity-chart"] .bar').first().waitFor();
      expect(await s.page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link').allTextContents()).toEqual(['Activity', 'Teams', 'Projects', 'Settings']);
      expect(await s.page.locator('table.users').count()).toBe(0);
      await s.page.getByRole('link', { name: 'Teams' }).click();
      await s.page.getByRole('button', { name: 'Create team', exact: true }).waitFor();
      // the seat license is the operator's to set: only a system admin sees the form
      await s.page.getByRole('link', { name: 'Settings' }).click();
      // the section list renders once the organization's permissions have arrived
      await expect.poll(() => s.page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link').allTextContents()).toEqual(['Seats']);
      await s.page.getByLabel('Full seats').fill('7');
      await s.page.getByRole('button', { name: 'Save license', exact: true }).click();
      await s.page.getByRole('status').filter({ hasText: 'Seat license saved.' }).waitFor();
      expect(await h.t.db('organizations').where({ id: c.org.id }).first()).toMatchObject({ models_full_seats: 7, models_viewer_seats: null });
      expect(await s.page.locator('table.seats tbody tr').first().locator('td').allTextContents()).toEqual([expect.any(String), '7', expect.any(String)]);
      expect(await h.t.db('audit_log').where({ org_id: c.org.id, action: 'org.seat_license', actor_id: c.as.sysAdmin.accountId })).toHaveLength(1);
      await s.page.getByLabel('Full seats').fill('');
      await s.page.getByRole('button', { name: 'Save license', exact: true }).click();
      await expect.poll(async () => (await h.t.db('organizations').where({ id: c.org.id }).first()).models_full_seats).toBeNull();
      expect(s.problems).toEqual([]);
    } finally {
      await s.context.close();
    }
  });

  it('sends a signed-out visitor to sign in', async () => {
    const ctx = await run.browser.newContext();
    try {
      const p = await ctx.newPage();
      await p.goto(`${h.baseUrl}/admin`);
      const link = p.getByRole('link', { name: 'Sign in' });
      await link.waitFor();
      expect(await link.getAttribute('href')).toBe('/login?returnTo=%2Fadmin');
    } finally {
      await ctx.close();
    }
  });
});
