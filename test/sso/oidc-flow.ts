import { expect } from 'vitest';
import { Agent } from '../support/https-fetch.ts';
import type { TestOp } from '../support/oidc-provider.ts';
import type { RunningApp } from '../support/sso-app.ts';

// Drives the authorization-code flow like a browser: the app's login route, the OP's
// authorization endpoint and its development login form, back to the app's callback.

export interface FlowResult {
  agent: Agent;
  authUrl: URL;
  callbackUrl: string;
  /** The app's answer to the callback. */
  response: Response & { location: string | null };
}

export async function reachCallback(app: RunningApp, op: TestOp, accountId: string, opts: { agent?: Agent; returnTo?: string; provider?: string } = {}) {
  const provider = opts.provider ?? 'test';
  const agent = opts.agent ?? new Agent(op.caPem);
  const q = opts.returnTo ? `?returnTo=${encodeURIComponent(opts.returnTo)}` : '';
  const start = await agent.request(`${app.url}/auth/oidc/${provider}/login${q}`);
  expect(start.status, await start.clone().text()).toBe(302);
  const authUrl = new URL(start.location!);
  // The OP sends us to its login page.
  const interaction = await agent.follow(authUrl.href);
  const html = await interaction.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  expect(action, html).toBeTruthy();
  const submit = new URL(action!.replace(/&amp;/g, '&'), interaction.url || authUrl).href;
  const back = await agent.follow(submit, (u) => u.startsWith(app.url), { form: { prompt: 'login', login: accountId, password: 'anything' } });
  expect(back.location, `OP did not redirect back: ${back.status} ${await back.clone().text()}`).toMatch(new RegExp(`^${app.url}/auth/oidc/${provider}/callback\\?`));
  return { agent, authUrl, callbackUrl: back.location! };
}

export async function signIn(app: RunningApp, op: TestOp, accountId: string, opts: { agent?: Agent; returnTo?: string; provider?: string } = {}): Promise<FlowResult> {
  const r = await reachCallback(app, op, accountId, opts);
  const response = await r.agent.request(r.callbackUrl);
  return { ...r, response };
}

export async function me(app: RunningApp, agent: Agent) {
  const res = await agent.request(`${app.url}/auth/me`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { user?: Record<string, unknown>; organizations?: Record<string, unknown>[] } };
}
