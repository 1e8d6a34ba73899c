import { afterAll, beforeAll, expect, test } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { approveDomain } from '../../src/domain/domain-verification.ts';
import { claimDomain } from '../../src/domain/domains.ts';
import { setDefaultTeam, updateOrganizationSettings } from '../../src/domain/organizations.ts';
import { skipWithout } from '../support/binaries.ts';
import { CHROMIUM, launchChromium, type TestBrowser } from '../support/browser.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrg, makeTeam, testActor } from '../support/factories.ts';
import { startOidcProvider, type TestOp } from '../support/oidc-provider.ts';
import { freePort } from '../support/ports.ts';
import { startApp, type RunningApp } from '../support/sso-app.ts';

// One real browser: Chromium signs in through the OpenID Provider's own login page and
// lands on the dashboard (/admin).

const skip = skipWithout(CHROMIUM, 'chromium', 'apt-get install chromium');

let tdb: TestDb;
let op: TestOp;
let app: RunningApp;
let chrome: TestBrowser;

beforeAll(async () => {
  if (skip) return;
  tdb = await createTestDb();
  const port = await freePort();
  op = await startOidcProvider({ redirectUris: [`http://127.0.0.1:${port}/auth/oidc/test/callback`] });
  app = await startApp(
    tdb.db,
    {
      PORT: String(port),
      AUTO_PROVISIONING: 'true',
      OIDC_PROVIDERS: 'test',
      OIDC_TEST_ISSUER: op.issuer,
      OIDC_TEST_CLIENT_ID: op.clientId,
      OIDC_TEST_CLIENT_SECRET: op.clientSecret,
      OIDC_TEST_DISPLAY_NAME: 'Test IdP',
    },
    { oidcFetch: op.fetch },
  );
  const org = await makeOrg(tdb.db, 'Hooli');
  const team = await makeTeam(tdb.db, org.id, 'all-hands');
  await makeMember(tdb.db, org.id, { userName: 'gavin@hooli.example', orgRole: 'admin' });
  await runInTransaction(tdb.db, testActor, async (tx) => {
    await claimDomain(tx, org.id, 'hooli.example');
    await approveDomain(tx, org.id, 'hooli.example');
    await setDefaultTeam(tx, org.id, team.id);
    await updateOrganizationSettings(tx, org.id, { autoProvisioning: true });
  });
  op.accounts.set('richard', { email: 'richard@hooli.example', email_verified: true, name: 'Richard Hendricks' });
  chrome = await launchChromium({ trustSpki: [op.spkiHash] });
});

afterAll(async () => {
  await chrome?.close();
  await app?.stop();
  await op?.stop();
  await tdb?.close();
});

test.skipIf(skip)('Chromium signs in through the provider login page and lands on the dashboard', async () => {
  const { context } = chrome;
  const page = await context.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  await page.waitForURL((u) => u.href.startsWith(op.issuer));
  await page.locator('input[name="login"]').fill('richard');
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: /sign-in/i }).click();
  // Every sign-in ends on the dashboard unless returnTo says otherwise.
  await page.waitForURL((u) => u.origin === app.url && u.pathname === '/admin');
  await page.goto(`${app.url}/auth/me`);
  const body = JSON.parse((await page.locator('body').innerText()).trim()) as {
    user: { email: string; displayName: string };
    organizations: { name: string; role: string; teams: { name: string }[] }[];
  };
  expect(body.user).toMatchObject({ email: 'richard@hooli.example', displayName: 'Richard Hendricks' });
  expect(body.organizations).toEqual([expect.objectContaining({ name: 'Hooli', role: 'member', teams: [expect.objectContaining({ name: 'all-hands' })] })]);
  const cookies = await context.cookies(app.url);
  expect(cookies.find((c) => c.name === 'orgbridge.sid')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? '/tmp'}/orgbridge-sso-auth-me.png` });
});
