import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Session } from '../api/harness.ts';

// Chromium for the dashboard's browser tests (recipe: chromium-and-oidc-for-tests.md):
// Debian's /usr/bin/chromium driven by playwright-core, headless, no network chatter.
// playwright-core refuses --user-data-dir with launch(): it already gives every launch a
// fresh, empty temporary profile, which is what the recipe asks for.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Skip only on a developer machine without Chromium; in CI the tests must run. */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (process.env.CI) return null;
  return `${CHROMIUM} not found: browser tests skipped (install Debian's chromium; in CI they run)`;
}

export interface BrowserRun {
  browser: Browser;
  close(): Promise<void>;
}

/** `extraArgs`: more Chromium switches (e.g. --host-resolver-rules to reach the app by a LAN-like name). */
export async function launch(extraArgs: string[] = []): Promise<BrowserRun> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...extraArgs,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** A browser context signed in with `session` (the cookie express-session would set). */
export async function signedIn(run: BrowserRun, baseUrl: string, session: Session, opts: { now?: Date } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await run.browser.newContext({ viewport: { width: 1366, height: 860 }, acceptDownloads: true, locale: 'en-GB', timezoneId: 'UTC' });
  const [name, value] = session.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
  const page = await context.newPage();
  // A fixed page clock, so that relative dates render the same on any day.
  if (opts.now) await page.clock.setFixedTime(opts.now);
  // Script errors and CSP violations fail the test; HTTP refusals are listed with their URL
  // (some tests provoke one on purpose, like the last-admin 409).
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return { context, page, problems };
}
