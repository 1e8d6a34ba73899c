import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

// Debian's Chromium driven by playwright-core (../shared/recipes/chromium-and-oidc-for-tests.md):
// headless, no sandbox (root), no background networking, a fresh profile per run.

export const CHROMIUM = '/usr/bin/chromium';

export interface TestBrowser {
  /** A persistent context over the fresh profile: one browser, one cookie jar. */
  context: BrowserContext;
  close(): Promise<void>;
}

/** `trustSpki`: SHA-256 SPKI hashes of test certificates Chromium should accept (the OP's). */
export async function launchChromium(opts: { trustSpki?: string[] } = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'orgbridge-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (opts.trustSpki?.length) args.push(`--ignore-certificate-errors-spki-list=${opts.trustSpki.join(',')}`);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args });
  } catch (err: unknown) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
