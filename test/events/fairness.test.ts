import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createTeam } from '../../src/domain/teams.ts';
import { createEndpoint } from '../../src/events/endpoints.ts';
import { fanOut } from '../../src/events/fan-out.ts';
import { startWebhookWorker } from '../../src/events/worker.ts';
import { startHarness, type Harness } from '../api/harness.ts';
import { makeOrg, testActor } from '../support/factories.ts';
import { startReceiver, type Receiver } from '../support/webhook-receiver.ts';

// One organization's slow receiver must not hold back another's deliveries (the worker is
// shared by every tenant). An organization holds at most WEBHOOK_MAX_IN_FLIGHT_PER_ORG of
// the worker's WEBHOOK_BATCH_SIZE concurrent sends, and the worker claims again as soon as a
// send ends, without waiting for the rest of its batch. Judged by order, not by speed: the
// quiet tenant's delivery must arrive before the slow receiver has answered anything.

let h: Harness;
let rx: Receiver;
const SLOW_MS = 5000;
const PER_ORG = 3;

beforeAll(async () => {
  h = await startHarness({
    WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1',
    WEBHOOK_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
    WEBHOOK_TIMEOUT_MS: String(SLOW_MS * 2),
    WEBHOOK_BATCH_SIZE: '20',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_MAX_IN_FLIGHT_PER_ORG: String(PER_ORG),
  });
  rx = await startReceiver();
});
afterAll(async () => {
  await rx?.close();
  await h?.close();
});

describe('webhook delivery across organizations', () => {
  it("a slow receiver holds at most its organization's share of the worker, and another organization's event goes at once", async () => {
    const db = h.t.db;
    const policy = { allowHttpHosts: ['127.0.0.1'], allowPrivateHosts: ['127.0.0.1'] };
    const noisy = await makeOrg(db);
    const quiet = await makeOrg(db);
    await fanOut(db, 1000); // the organizations' own setup events, before they have endpoints
    await runInTransaction(db, testActor, (tx) => createEndpoint(tx, noisy.id, { url: `${rx.url}/slow`, eventTypes: ['team.created'] }, policy));
    await runInTransaction(db, testActor, (tx) => createEndpoint(tx, quiet.id, { url: `${rx.url}/fast`, eventTypes: ['team.created'] }, policy));
    // 30 events of the noisy organization (30 subjects: none waits for another), then one of the quiet one.
    for (let i = 0; i < 30; i++) await runInTransaction(db, testActor, (tx) => createTeam(tx, noisy.id, { name: `noisy-${i}` }));
    await runInTransaction(db, testActor, (tx) => createTeam(tx, quiet.id, { name: 'quiet' }));
    expect(await fanOut(db, 1000)).toBe(31);

    let open = 0;
    let mostOpen = 0;
    let firstSlowAnswer: number | undefined;
    let fastArrived: number | undefined;
    rx.answer = (r) => {
      if (r.path === '/fast') {
        fastArrived ??= performance.now();
        return 204;
      }
      open++;
      mostOpen = Math.max(mostOpen, open);
      setTimeout(() => {
        open--;
        firstSlowAnswer ??= performance.now();
      }, SLOW_MS);
      return { status: 204, delayMs: SLOW_MS };
    };
    const worker = startWebhookWorker(db, h.deps.config.webhooks, h.deps.logger);
    try {
      while (fastArrived === undefined && (firstSlowAnswer === undefined || performance.now() - firstSlowAnswer < SLOW_MS * 3)) await new Promise((r) => setTimeout(r, 20));
      expect(fastArrived, 'the quiet organization’s delivery arrived').toBeDefined();
      // Before any slow answer: it did not wait for the noisy organization's sends to end.
      expect(firstSlowAnswer === undefined || fastArrived! < firstSlowAnswer).toBe(true);
      expect(mostOpen).toBeLessThanOrEqual(PER_ORG);
      // The noisy organization's deliveries all go, its share at a time.
      const noisyDelivered = async () => Number((await db('webhook_deliveries as d').join('webhook_endpoints as e', 'e.id', 'd.endpoint_id').where({ 'e.org_id': noisy.id, 'd.status': 'delivered' }).count<{ n: number }[]>({ n: '*' }))[0]!.n);
      while ((await noisyDelivered()) < 6) await new Promise((r) => setTimeout(r, 100));
      expect(mostOpen).toBe(PER_ORG);
    } finally {
      rx.answer = () => 204; // answer the rest at once, so stopping does not wait
      await worker.stop();
    }
  }, 60_000);
});
