import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { setModelsSeat, setOrgRole, setWeaveAccess } from '../../src/domain/memberships.ts';
import { createApiKey } from '../../src/domain/service-accounts.ts';
import { createTeam } from '../../src/domain/teams.ts';
import type { OrganizationRow } from '../../src/domain/types.ts';
import { deliverBatch } from '../../src/events/deliver.ts';
import { fanOut } from '../../src/events/fan-out.ts';
import { startWebhookWorker } from '../../src/events/worker.ts';
import { actorOf, call, startHarness, type Harness } from '../api/harness.ts';
import { onPostgres } from '../support/db.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';
import { startReceiver, verifyStandardWebhook, type Receiver } from '../support/webhook-receiver.ts';

// Webhooks (issue 16 item 2): the admin API, Standard Webhooks signatures checked by an
// independent verifier, order per member, backoff, dead letter, redelivery, SSRF refusals
// and several workers sharing the deliveries.

let h: Harness;
let rx: Receiver;
const BASE_MS = 1000;

beforeAll(async () => {
  h = await startHarness({
    WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1,localhost',
    WEBHOOK_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
    WEBHOOK_MAX_ATTEMPTS: '3',
    WEBHOOK_BACKOFF_BASE_MS: String(BASE_MS),
    WEBHOOK_BACKOFF_MAX_MS: String(BASE_MS * 3),
    WEBHOOK_TIMEOUT_MS: '5000',
  });
  rx = await startReceiver();
});
afterAll(async () => {
  await rx?.close();
  await h?.close();
});

const worker = () => startWebhookWorker(h.t.db, h.deps.config.webhooks, h.deps.logger, { loop: false });

/** Rounds until nothing is fanned out or sent (due deliveries only). */
async function drain(max = 20): Promise<void> {
  const w = worker();
  for (let i = 0; i < max; i++) {
    const r = await w.round();
    if (!r.fannedOut && !r.sent) return;
  }
}

interface Tenant {
  org: OrganizationRow;
  base: string;
  key: { apiKey: string };
  admin: string;
}

async function tenant(): Promise<Tenant> {
  const org = await makeOrg(h.t.db);
  const admin = (await makeMember(h.t.db, org.id, { userName: `admin-${org.slug}@acme.example`, orgRole: 'admin' })).user.id;
  const { key } = await runInTransaction(h.t.db, await actorOf(h.t.db, admin), (tx) => createApiKey(tx, org.id, { admin: true }, 'automation'));
  await drain(); // this tenant's setup events, fanned out before it has endpoints
  return { org, base: `/api/v1/orgs/${org.slug}`, key: { apiKey: key }, admin };
}

async function register(t: Tenant, path: string, eventTypes: string[] = ['*'], url = `${rx.url}${path}`) {
  const r = await call(h, t.key, 'POST', `${t.base}/webhooks`, { url, eventTypes });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; secret: string };
}

const at = (path: string) => rx.received.filter((r) => r.path === path);

describe('webhook endpoints (admin API)', () => {
  it('shows the secret once, refuses http and private addresses, and stays within the organization', async () => {
    const t = await tenant();
    const created = await call(h, t.key, 'POST', `${t.base}/webhooks`, { url: 'https://hooks.example.com/orgbridge', eventTypes: ['member.deactivated', 'member.removed'], description: 'platform' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.headers.get('location')).toBe(`${t.base}/webhooks/${created.body.id}`);
    const read = await call(h, t.key, 'GET', `${t.base}/webhooks/${created.body.id}`);
    expect(read.body).toMatchObject({ url: 'https://hooks.example.com/orgbridge', eventTypes: ['member.deactivated', 'member.removed'], enabled: true });
    expect(read.text).not.toContain('whsec_');
    expect((await call(h, t.key, 'GET', `${t.base}/webhooks`)).text).not.toContain('whsec_');
    expect((await h.t.db('audit_log').where({ org_id: t.org.id, action: 'webhook.create' }).first()).target_id).toBe(created.body.id);

    const refused = async (url: string) => {
      const r = await call(h, t.key, 'POST', `${t.base}/webhooks`, { url, eventTypes: ['*'] });
      expect(r.status, url).toBe(422);
      return r.body.error.message as string;
    };
    expect(await refused('http://hooks.example.com/x')).toMatch(/https/);
    expect(await refused('https://10.1.2.3/x')).toMatch(/private, loopback or reserved/);
    expect(await refused('https://169.254.169.254/latest/meta-data')).toMatch(/private, loopback or reserved/);
    expect(await refused('https://[::1]/x')).toMatch(/private, loopback or reserved/);
    expect(await refused('https://[::ffff:127.0.0.1]/x')).toMatch(/private, loopback or reserved/);
    expect(await refused('https://user:pw@hooks.example.com/x')).toMatch(/credentials/);
    expect(await refused('https://hooks.example.com/x#frag')).toMatch(/fragment/);
    expect((await call(h, t.key, 'POST', `${t.base}/webhooks`, { url: 'https://hooks.example.com/x', eventTypes: ['member.exploded'] })).status).toBe(422);

    // An admin changes what it takes and its description; the URL rules apply to a new URL too.
    const patched = await call(h, t.key, 'PATCH', `${t.base}/webhooks/${created.body.id}`, { eventTypes: ['member.removed'], description: 'platform v2', enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: created.body.id, eventTypes: ['member.removed'], description: 'platform v2', enabled: false });
    expect(patched.text).not.toContain('whsec_');
    expect((await call(h, t.key, 'PATCH', `${t.base}/webhooks/${created.body.id}`, { url: 'https://10.0.0.1/x' })).status).toBe(422);

    // Another organization's key neither sees nor changes it.
    const other = await tenant();
    expect((await call(h, other.key, 'GET', `${t.base}/webhooks/${created.body.id}`)).status).toBe(403);
    expect((await call(h, other.key, 'GET', `${other.base}/webhooks/${created.body.id}`)).status).toBe(404);
    expect((await call(h, other.key, 'DELETE', `${other.base}/webhooks/${created.body.id}`)).status).toBe(404);
    expect((await call(h, other.key, 'POST', `${other.base}/webhooks/${created.body.id}/rotate-secret`)).status).toBe(404);
    expect(await h.t.db('webhook_endpoints').where({ id: created.body.id }).first()).toBeDefined();
    expect((await call(h, t.key, 'DELETE', `${t.base}/webhooks/${created.body.id}`)).status).toBe(204);
  });
});

describe('webhook endpoints: limits', () => {
  it('refuses a 21st endpoint in one organization (each multiplies the shared workers’ deliveries)', async () => {
    const t = await tenant();
    for (let i = 0; i < 20; i++) expect((await call(h, t.key, 'POST', `${t.base}/webhooks`, { url: `https://hooks.example.com/${i}`, eventTypes: ['*'] })).status).toBe(201);
    const r = await call(h, t.key, 'POST', `${t.base}/webhooks`, { url: 'https://hooks.example.com/21', eventTypes: ['*'] });
    expect(r.status).toBe(409);
    expect(await h.t.db('webhook_endpoints').where({ org_id: t.org.id }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 20 }]);
    await h.t.db('webhook_endpoints').where({ org_id: t.org.id }).delete();
  });
});

describe('delivery', () => {
  it('signs per Standard Webhooks; only subscribed types; the log records the attempt', async () => {
    const t = await tenant();
    const ep = await register(t, '/signed', ['member.role_changed']);
    const { user } = await makeMember(h.t.db, t.org.id, { userName: 'sig@acme.example' });
    await runInTransaction(h.t.db, testActor, (tx) => setOrgRole(tx, t.org.id, user.id, 'viewer'));
    await drain();
    const got = at('/signed');
    expect(got).toHaveLength(1); // member.provisioned was not subscribed
    const r = got[0]!;
    expect(verifyStandardWebhook(ep.secret, r.headers, r.body)).toBe(true);
    expect(verifyStandardWebhook(ep.secret, r.headers, r.body.replace('viewer', 'admin'))).toBe(false);
    expect(verifyStandardWebhook(ep.secret, { ...r.headers, 'webhook-id': 'msg_0' }, r.body)).toBe(false);
    expect(r.headers['content-type']).toBe('application/json');
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({ type: 'member.role_changed', data: { id: r.headers['webhook-id'], organizationId: t.org.id, subject: { type: 'user', id: user.id }, before: { orgRole: 'member' }, after: { orgRole: 'viewer' } } });
    expect(Math.abs(Number(r.headers['webhook-timestamp']) * 1000 - Date.now())).toBeLessThan(120_000);

    const log = await call(h, t.key, 'GET', `${t.base}/webhooks/${ep.id}/deliveries`);
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({ messageId: r.headers['webhook-id'], eventType: 'member.role_changed', status: 'delivered', attempts: 1, lastStatusCode: 200 });
    expect(log.body.items[0].lastLatencyMs).toBeGreaterThanOrEqual(0);
    const attempts = await call(h, t.key, 'GET', `${t.base}/webhooks/${ep.id}/deliveries/${log.body.items[0].id}/attempts`);
    expect(attempts.body.items).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered', statusCode: 200 })]);
  });

  it('after a rotation signs with both secrets for 24 hours, then with the new one only', async () => {
    const t = await tenant();
    const ep = await register(t, '/rotate', ['team.created']);
    const rotated = await call(h, t.key, 'POST', `${t.base}/webhooks/${ep.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(ep.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    await runInTransaction(h.t.db, testActor, (tx) => createTeam(tx, t.org.id, { name: 'Rotation' }));
    await fanOut(h.t.db, 500);
    await deliverBatch(h.t.db, h.deps.config.webhooks);
    const first = at('/rotate')[0]!;
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyStandardWebhook(ep.secret, first.headers, first.body)).toBe(true);
    expect(verifyStandardWebhook(rotated.body.secret, first.headers, first.body)).toBe(true);

    await runInTransaction(h.t.db, testActor, (tx) => createTeam(tx, t.org.id, { name: 'Rotation 2' }));
    await fanOut(h.t.db, 500);
    const dayLater = new Date(Date.now() + 24 * 3600_000 + 1000);
    await deliverBatch(h.t.db, h.deps.config.webhooks, () => dayLater);
    const second = at('/rotate')[1]!;
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifyStandardWebhook(ep.secret, second.headers, second.body)).toBe(false);
    expect(verifyStandardWebhook(rotated.body.secret, second.headers, second.body)).toBe(true);
  });

  it('keeps order per member: a failing event holds back that member’s later ones, not other members’', async () => {
    const t = await tenant();
    const ep = await register(t, '/order', ['member.role_changed', 'member.seat_changed', 'member.weave_access_changed']);
    const x = (await makeMember(h.t.db, t.org.id, { userName: 'x@acme.example', modelsSeat: 'full' })).user;
    const y = (await makeMember(h.t.db, t.org.id, { userName: 'y@acme.example' })).user;
    await runInTransaction(h.t.db, testActor, (tx) => setOrgRole(tx, t.org.id, x.id, 'viewer'));
    await runInTransaction(h.t.db, testActor, (tx) => setModelsSeat(tx, t.org.id, x.id, 'viewer'));
    await runInTransaction(h.t.db, testActor, (tx) => setWeaveAccess(tx, t.org.id, x.id, 'none'));
    await runInTransaction(h.t.db, testActor, (tx) => setOrgRole(tx, t.org.id, y.id, 'viewer'));
    let failFirst = true;
    rx.answer = (r) => (r.path === '/order' && failFirst && JSON.parse(r.body).type === 'member.role_changed' && JSON.parse(r.body).data.subject.id === x.id ? 503 : 200);
    try {
      const w = worker();
      await w.round();
      const first = at('/order').map((r) => [JSON.parse(r.body).data.subject.id, JSON.parse(r.body).type]);
      // x's first event was tried (and failed); y's went; x's later ones waited.
      expect(first).toEqual(expect.arrayContaining([[x.id, 'member.role_changed'], [y.id, 'member.role_changed']]));
      expect(first).toHaveLength(2);
      failFirst = false;
      // Its retry is due after the backoff; make it due now rather than wait.
      await h.t.db('webhook_deliveries').where({ endpoint_id: ep.id, status: 'pending' }).update({ next_attempt_at: h.t.db.raw("now() - interval '1 second'") });
      await drain();
      const xs = at('/order').map((r) => JSON.parse(r.body)).filter((b) => b.data.subject.id === x.id).map((b) => b.type);
      expect(xs).toEqual(['member.role_changed', 'member.role_changed', 'member.seat_changed', 'member.weave_access_changed']);
    } finally {
      rx.answer = () => 200;
    }
  });

  it('backs off exponentially, dead-letters after the configured tries, and redelivers on request', async () => {
    const t = await tenant();
    const ep = await register(t, '/dead', ['team.created', 'team.renamed']);
    rx.answer = (r) => (r.path === '/dead' ? 500 : 200);
    try {
      const team = await runInTransaction(h.t.db, testActor, (tx) => createTeam(tx, t.org.id, { name: 'Failing' }));
      const w = worker();
      const gaps: number[] = [];
      for (let i = 1; i <= 3; i++) {
        await w.round();
        const d = await h.t.db('webhook_deliveries').where({ endpoint_id: ep.id }).first();
        expect(d.attempts).toBe(i);
        if (i < 3) {
          expect(d.status).toBe('pending');
          const [{ gap }] = (await h.t.db.raw(`select extract(epoch from d.next_attempt_at - a.at) * 1000 as gap from webhook_deliveries d join webhook_attempts a on a.delivery_id = d.id where d.id = ? order by a.id desc limit 1`, [d.id])).rows;
          gaps.push(Math.round(Number(gap)));
          await h.t.db('webhook_deliveries').where({ id: d.id }).update({ next_attempt_at: h.t.db.raw("now() - interval '1 second'") });
        } else {
          expect(d.status).toBe('dead');
          expect(d.last_status_code).toBe(500);
        }
      }
      expect(gaps).toEqual([BASE_MS, 2 * BASE_MS]);
      expect(at('/dead')).toHaveLength(3);
      const log = await call(h, t.key, 'GET', `${t.base}/webhooks/${ep.id}/deliveries?status=dead`);
      expect(log.body.items).toHaveLength(1);
      const deliveryId = log.body.items[0].id;
      const attempts = await call(h, t.key, 'GET', `${t.base}/webhooks/${ep.id}/deliveries/${deliveryId}/attempts`);
      expect(attempts.body.items.map((a: { outcome: string; statusCode: number }) => [a.outcome, a.statusCode])).toEqual([['failed', 500], ['failed', 500], ['dead', 500]]);

      // A dead letter no longer holds back the team's later events.
      await runInTransaction(h.t.db, testActor, async (tx) => {
        const { renameTeam } = await import('../../src/domain/teams.ts');
        await renameTeam(tx, t.org.id, team.id, 'Renamed');
      });
      rx.answer = () => 200;
      await drain();
      expect(JSON.parse(at('/dead')[3]!.body).type).toBe('team.renamed');

      // Redelivery: pending again, sent, delivered; another tenant cannot trigger it.
      const other = await tenant();
      expect((await call(h, other.key, 'POST', `${other.base}/webhooks/${ep.id}/deliveries/${deliveryId}/redeliver`)).status).toBe(404);
      const again = await call(h, t.key, 'POST', `${t.base}/webhooks/${ep.id}/deliveries/${deliveryId}/redeliver`);
      expect(again.status).toBe(202);
      expect((await call(h, t.key, 'POST', `${t.base}/webhooks/${ep.id}/deliveries/${deliveryId}/redeliver`)).status).toBe(409);
      await drain();
      const redelivered = at('/dead')[4]!;
      expect(JSON.parse(redelivered.body).type).toBe('team.created');
      expect(redelivered.headers['webhook-id']).toBe(at('/dead')[0]!.headers['webhook-id']);
      expect((await h.t.db('webhook_deliveries').where({ id: deliveryId }).first()).status).toBe('delivered');
      expect(await h.t.db('audit_log').where({ org_id: t.org.id, action: 'webhook.redeliver' }).first()).toBeDefined();
    } finally {
      rx.answer = () => 200;
    }
  });

  it('refuses at send time a name that resolves to loopback, and follows no redirect', async () => {
    const t = await tenant();
    // http is allowed for "localhost", but it is not allowed private addresses: the guard
    // refuses what it resolves to, and the receiver never hears of it.
    const ep = await register(t, '/never', ['team.created'], `http://localhost:${rx.port}/never`);
    const redirect = await register(t, '/redirect', ['team.created']);
    rx.answer = (r) => (r.path === '/redirect' ? { status: 302, headers: { location: '/landed' } } : 200);
    try {
      await runInTransaction(h.t.db, testActor, (tx) => createTeam(tx, t.org.id, { name: 'SSRF' }));
      await drain();
      expect(at('/never')).toHaveLength(0);
      const d = await h.t.db('webhook_deliveries').where({ endpoint_id: ep.id }).first();
      expect(d.last_error).toMatch(/private, loopback or reserved/);
      expect(d.last_status_code).toBeNull();
      expect(at('/redirect')).toHaveLength(1);
      expect(at('/landed')).toHaveLength(0);
      const r = await h.t.db('webhook_deliveries').where({ endpoint_id: redirect.id }).first();
      expect(r).toMatchObject({ status: 'pending', last_status_code: 302 });
    } finally {
      rx.answer = () => 200;
      await call(h, t.key, 'DELETE', `${t.base}/webhooks/${ep.id}`);
      await call(h, t.key, 'DELETE', `${t.base}/webhooks/${redirect.id}`);
    }
  });

  it('several workers on separate pools send each event once', async () => {
    const t = await tenant();
    const ep = await register(t, '/many', ['team.created']);
    rx.answer = () => ({ status: 200, delayMs: 5 });
    try {
      for (let i = 0; i < 40; i++) await runInTransaction(h.t.db, testActor, (tx) => createTeam(tx, t.org.id, { name: `many-${i}` }));
      await fanOut(h.t.db, 500);
      const pools = onPostgres() ? [h.t.openAnother(4), h.t.openAnother(4), h.t.openAnother(4)] : [h.t.db, h.t.db, h.t.db];
      const policy = { ...h.deps.config.webhooks, batchSize: 5 };
      await Promise.all(pools.map(async (db) => { while ((await deliverBatch(db, policy)) > 0); }));
      const ids = at('/many').map((r) => String(r.headers['webhook-id']));
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
      expect(await h.t.db('webhook_deliveries').where({ endpoint_id: ep.id, status: 'delivered' }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 40 }]);
    } finally {
      rx.answer = () => 200;
    }
  });
});
