import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createApiKey } from '../../src/domain/service-accounts.ts';
import { createTeam } from '../../src/domain/teams.ts';
import { isForbiddenAddress } from '../../src/events/address-guard.ts';
import { startWebhookWorker } from '../../src/events/worker.ts';
import { actorOf, call, startHarness, type Harness } from '../api/harness.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';

// Security review (webhooks' SSRF guard).
//  1. A refused name's delivery log (which the organization's admins read) must not tell
//     them what the name resolves to: the deployment's resolver would otherwise answer any
//     tenant's questions about the internal network (db.internal → 10.0.3.7).
//  2. An IPv4-compatible IPv6 literal (https://[::127.0.0.1]/, which the URL parser writes
//     ::7f00:1) is refused like the IPv4-mapped one: the guard's own rule, which only
//     recognised the dotted spelling a URL never keeps.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ WEBHOOK_ALLOW_HTTP_HOSTS: 'localhost', WEBHOOK_TIMEOUT_MS: '3000' });
});
afterAll(async () => {
  await h?.close();
});

async function tenant() {
  const org = await makeOrg(h.t.db);
  const admin = (await makeMember(h.t.db, org.id, { userName: `admin-${org.slug}@acme.example`, orgRole: 'admin' })).user.id;
  const { key } = await runInTransaction(h.t.db, await actorOf(h.t.db, admin), (tx) => createApiKey(tx, org.id, { admin: true }, 'automation'));
  return { org, base: `/api/v1/orgs/${org.slug}`, key: { apiKey: key } };
}

describe('webhook address guard', () => {
  it('a refused name: the delivery log says it was refused, not which private addresses it resolves to', async () => {
    const t = await tenant();
    const ep = await call(h, t.key, 'POST', `${t.base}/webhooks`, { url: 'http://localhost:9/probe', eventTypes: ['team.created'] });
    expect(ep.status, ep.text).toBe(201);
    await runInTransaction(h.t.db, testActor, (tx) => createTeam(tx, t.org.id, { name: 'Probe' }));
    const w = startWebhookWorker(h.t.db, h.deps.config.webhooks, h.deps.logger, { loop: false });
    for (let i = 0; i < 5; i++) if (!(await w.round()).sent) break;

    const log = await call(h, t.key, 'GET', `${t.base}/webhooks/${ep.body.id}/deliveries`);
    expect(log.status).toBe(200);
    const [d] = log.body.items;
    expect(d.lastError).toMatch(/private, loopback or reserved/);
    const attempts = await call(h, t.key, 'GET', `${t.base}/webhooks/${ep.body.id}/deliveries/${d.id}/attempts`);
    for (const text of [log.text, attempts.text]) {
      expect(text).not.toMatch(/127\.0\.0\.1|::1\b/);
    }
  });

  it('refuses IPv4-compatible IPv6 literals, as the URL parser writes them', async () => {
    const t = await tenant();
    for (const url of ['https://[::127.0.0.1]/x', 'https://[::10.0.0.1]/x', 'https://[::a9fe:a9fe]/x']) {
      const r = await call(h, t.key, 'POST', `${t.base}/webhooks`, { url, eventTypes: ['*'] });
      expect(r.status, url).toBe(422);
      expect(r.body.error.message).toMatch(/private, loopback or reserved/);
    }
    expect(isForbiddenAddress('::7f00:1')).toBe(true);
    expect(isForbiddenAddress('::127.0.0.1')).toBe(true);
    // Public addresses stay allowed.
    // 6to4 (an IPv4 address inside: 2002:7f00:1:: is 127.0.0.1 through a relay) and the old site-local range.
    expect(isForbiddenAddress('2002:7f00:1::1')).toBe(true);
    expect(isForbiddenAddress('fec0::1')).toBe(true);
    expect(isForbiddenAddress('2606:4700::1111')).toBe(false);
    expect(isForbiddenAddress('1.1.1.1')).toBe(false);
  });
});
