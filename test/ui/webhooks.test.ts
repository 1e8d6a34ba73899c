import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { makeCast, startHarness, type Cast, type Harness } from '../api/harness.ts';
import { browserSkipReason, launch, signedIn, type BrowserRun } from './browser.ts';

// Settings › Webhooks in a real Chromium: an admin adds an endpoint for some event types,
// sees its signing secret once, reads the (empty) delivery log, rotates and deletes it.

const skip = browserSkipReason();
let h: Harness;
let c: Cast;
let run: BrowserRun;
let page: Page;
let problems: string[];

beforeAll(async () => {
  if (skip) return;
  h = await startHarness();
  c = await makeCast(h);
  run = await launch();
  ({ page, problems } = await signedIn(run, h.baseUrl, c.as.admin));
}, 180_000);
afterAll(async () => {
  await run?.close();
  await h?.close();
});

describe.skipIf(Boolean(skip))('webhooks page', () => {
  it('adds an endpoint, shows the secret once, rotates it and deletes the endpoint', async () => {
    await page.goto(`${h.baseUrl}/admin#/${c.org.slug}/settings/webhooks`);
    await page.getByLabel('Endpoint URL (https)').fill('https://hooks.example.com/orgbridge');
    await page.getByLabel('member.deactivated').check();
    await page.getByLabel('member.removed').check();
    await page.getByRole('button', { name: 'Add endpoint', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Signing secret' });
    const secret = await dialog.getByLabel('Signing secret', { exact: true }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    const stored = await h.t.db('webhook_endpoints').where({ org_id: c.org.id }).first();
    expect(stored).toMatchObject({ url: 'https://hooks.example.com/orgbridge', event_types: ['member.deactivated', 'member.removed'], secret });
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    const row = page.locator('tr', { hasText: 'https://hooks.example.com/orgbridge' });
    expect(await row.textContent()).toContain('member.deactivated, member.removed');
    expect(await page.content()).not.toContain(secret);

    await row.getByRole('button', { name: 'Deliveries', exact: true }).click();
    await page.getByText('No deliveries yet.').waitFor();

    await row.getByRole('button', { name: 'Rotate secret', exact: true }).click();
    const rotated = await page.getByRole('dialog', { name: 'Signing secret' }).getByLabel('Signing secret', { exact: true }).inputValue();
    expect(rotated).not.toBe(secret);
    expect((await h.t.db('webhook_endpoints').where({ id: stored.id }).first()).previous_secret).toBe(secret);
    await page.getByRole('dialog', { name: 'Signing secret' }).getByRole('button', { name: 'Done', exact: true }).click();

    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete endpoint' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(async () => h.t.db('webhook_endpoints').where({ id: stored.id }).first()).toBeUndefined();
    expect(problems).toEqual([]);
  });
});
