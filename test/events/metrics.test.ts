import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { setOrgRole } from '../../src/domain/memberships.ts';
import { provisionSignIn } from '../../src/domain/provisioning/sign-in.ts';
import { createScimToken } from '../../src/domain/scim-tokens.ts';
import { startWebhookWorker } from '../../src/events/worker.ts';
import { serveMetrics } from '../../src/http/metrics.ts';
import { clientFamily } from '../../src/lib/metrics.ts';
import { call, startHarness, type Harness } from '../api/harness.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';
import { startReceiver, type Receiver } from '../support/webhook-receiver.ts';

// GET /metrics (issue 16 item 4): every family present after a scripted run (SCIM from
// two IdPs, a refusal, a sign-in, a webhook delivery), guarded by its bearer token.

const TOKEN = 'metrics-token-0123456789';
let h: Harness;
let rx: Receiver;

beforeAll(async () => {
  h = await startHarness({ METRICS_TOKEN: TOKEN, WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1', WEBHOOK_ALLOW_PRIVATE_HOSTS: '127.0.0.1' });
  rx = await startReceiver();
});
afterAll(async () => {
  await rx?.close();
  await h?.close();
});

/** The value of one sample line, e.g. `name{a="b"}`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics', () => {
  it('answers 401 without the token, and with it every family after a scripted run', async () => {
    expect((await fetch(`${h.baseUrl}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${h.baseUrl}/metrics`, { headers: { authorization: 'Bearer metrics-token-wrong-000000' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const org = await makeOrg(h.t.db);
    const { user: admin } = await makeMember(h.t.db, org.id, { userName: 'root@acme.example', orgRole: 'admin' });
    const { token } = await runInTransaction(h.t.db, testActor, (tx) => createScimToken(tx, org.id, 'idp'));
    const scim = (ua: string, method: string, path: string, body?: unknown) =>
      fetch(`${h.baseUrl}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'user-agent': ua }, body: body ? JSON.stringify(body) : undefined });
    const okta = 'Okta SCIM Client 1.0.0';
    const entra = 'Microsoft.Identity.Provisioning';
    const created = await scim(okta, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'pat@acme.example' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await scim(entra, 'GET', `/Users/${id}`)).status).toBe(200);
    expect((await scim(entra, 'GET', '/Users?count=1')).status).toBe(200);
    // A refusal by the last-admin rule.
    await runInTransaction(h.t.db, testActor, (tx) => setOrgRole(tx, org.id, admin.id, 'member')).catch(() => undefined);
    // A sign-in, refused: nobody provisioned it.
    await provisionSignIn(h.t.db, { provider: 'oidc:https://idp.example', externalId: 'sub-1', email: null, userName: null, displayName: null, givenName: null, familyName: null, groups: null, source: 'oidc:corp', trust: { source: 'oidc:corp', orgSlugs: null, domains: null }, label: 'oidc:corp' }, { autoProvisioning: false, now: new Date() }).catch(() => undefined);
    // A webhook delivery.
    const hook = await call(h, null, 'GET', '/healthz');
    expect(hook.status).toBe(200);
    await h.t.db('webhook_endpoints').insert({ id: crypto.randomUUID(), org_id: org.id, url: `${rx.url}/m`, event_types: JSON.stringify(['*']), secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    await scim(okta, 'PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const worker = startWebhookWorker(h.t.db, h.deps.config.webhooks, h.deps.logger, { loop: false });
    await worker.round();
    expect(rx.received.length).toBeGreaterThan(0);
    // Something left in the outbox: a change after the worker's round.
    await runInTransaction(h.t.db, testActor, (tx) => setOrgRole(tx, org.id, id, 'viewer'));

    const res = await fetch(`${h.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    for (const family of [
      'orgbridge_http_request_duration_seconds',
      'orgbridge_scim_operations_total',
      'orgbridge_refusals_total',
      'orgbridge_sign_ins_total',
      'orgbridge_outbox_depth',
      'orgbridge_outbox_oldest_age_seconds',
      'orgbridge_webhook_deliveries_total',
      'orgbridge_db_pool_connections',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
    ]) expect(text, family).toContain(`# TYPE ${family} `);
    expect(sample(text, 'orgbridge_scim_operations_total', { resource: 'Users', method: 'POST', status: '2xx', client: 'okta' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'orgbridge_scim_operations_total', { resource: 'Users', method: 'GET', status: '2xx', client: 'entra' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'orgbridge_http_request_duration_seconds_count', { route: '/scim/v2/Users/:id', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(1);
    // Route patterns, never raw ids or organization slugs.
    expect(text).not.toContain(id);
    expect(sample(text, 'orgbridge_refusals_total', { rule: 'last_admin' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'orgbridge_sign_ins_total', { provider: 'oidc:corp', outcome: 'refused' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'orgbridge_webhook_deliveries_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'orgbridge_outbox_depth', { stage: 'events' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'orgbridge_db_pool_connections', { state: 'used' })).toBeGreaterThanOrEqual(0);
  });

  it('serves on its own port when METRICS_PORT is set', async () => {
    const server = await serveMetrics({ token: null, port: 0, host: '127.0.0.1' });
    try {
      const { port } = server.address() as { port: number };
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('# TYPE orgbridge_http_request_duration_seconds histogram');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });

  it('tells SCIM clients apart by User-Agent', () => {
    expect(clientFamily('Okta SCIM Client 1.0.0')).toBe('okta');
    expect(clientFamily('Microsoft.Identity.Provisioning')).toBe('entra');
    expect(clientFamily('Azure AD SCIM Provisioning')).toBe('entra');
    expect(clientFamily('OneLogin SCIM')).toBe('other');
    expect(clientFamily(undefined)).toBe('other');
  });
});
