import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { createTeam, renameTeam } from '../../src/domain/teams.ts';
import { createEndpoint } from '../../src/events/endpoints.ts';
import { fanOut } from '../../src/events/fan-out.ts';
import { pruneEvents } from '../../src/events/prune.ts';
import { redeliver } from '../../src/events/delivery-log.ts';
import { startWebhookWorker } from '../../src/events/worker.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { useTestDb } from '../support/db.ts';
import { makeOrg, testActor } from '../support/factories.ts';

// Retention of the outbox (issue 16): events past WEBHOOK_RETENTION_DAYS go with their
// deliveries and attempt log once nothing of theirs is pending; the audit log stays.
// Ages are set on the rows (relative to the database's now()), not read from the calendar.

const t = useTestDb();
const POLICY = { allowHttpHosts: [], allowPrivateHosts: [] };

async function scene() {
  const db = t.db;
  const org = await makeOrg(db);
  await runInTransaction(db, testActor, (tx) => createEndpoint(tx, org.id, { url: 'https://hooks.acme.example/in', eventTypes: ['team.created'] }, POLICY));
  const team = async (name: string) => {
    await runInTransaction(db, testActor, (tx) => createTeam(tx, org.id, { name }));
    return (await db('events').where({ org_id: org.id }).orderBy('id', 'desc').first('id', 'audit_id')) as { id: string; audit_id: string };
  };
  const ev = {
    delivered: await team('delivered'),
    dead: await team('dead'),
    pending: await team('pending'),
    recent: await team('recent'),
  };
  // An event the endpoint does not take (team.renamed): fanned out, no delivery.
  const renamed = await db('teams').where({ org_id: org.id, name: 'recent' }).first('id');
  await runInTransaction(db, testActor, (tx) => renameTeam(tx, org.id, renamed.id, 'recent-renamed'));
  const unsubscribed = (await db('events').where({ org_id: org.id, type: 'team.renamed' }).first('id', 'audit_id')) as { id: string; audit_id: string };
  await fanOut(db, 100);
  expect(await db('webhook_deliveries').where({ event_id: unsubscribed.id }).first()).toBeUndefined();
  const notFanned = await team('not-fanned-out');
  const deliveryOf = async (eventId: string) => (await db('webhook_deliveries').where({ event_id: eventId }).first('id')).id as string;
  for (const [e, status] of [[ev.delivered, 'delivered'], [ev.dead, 'dead'], [ev.pending, 'pending'], [ev.recent, 'delivered']] as const) {
    const d = await deliveryOf(e.id);
    await db('webhook_deliveries').where({ id: d }).update({ status });
    await db('webhook_attempts').insert({ delivery_id: d, attempt: 1, outcome: status === 'pending' ? 'failed' : status, status_code: 500 });
  }
  const age = (ids: string[], days: number) => db('events').whereIn('id', ids).update({ at: db.raw(`now() - interval '${days} days'`) });
  await age([ev.delivered.id, ev.dead.id, ev.pending.id, notFanned.id, unsubscribed.id], 40);
  await age([ev.recent.id], 29);
  return { org, ev, notFanned, unsubscribed };
}

const exists = async (table: string, where: Record<string, unknown>) => Boolean(await t.db(table).where(where).first());

describe('pruning old events', () => {
  it('removes old events with nothing pending, with their deliveries and attempts; keeps the rest and the audit log', async () => {
    const { org, ev, notFanned, unsubscribed } = await scene();
    const auditBefore = Number((await t.db('audit_log').where({ org_id: org.id }).count<{ n: number }[]>({ n: '*' }))[0]!.n);
    const deliveries = await t.db('webhook_deliveries').whereIn('event_id', [ev.delivered.id, ev.dead.id]).pluck('id');
    expect(deliveries).toHaveLength(2);

    const pruned = await pruneEvents(t.db, 30);
    expect(pruned).toBe(3);
    expect(await exists('events', { id: ev.delivered.id })).toBe(false);
    expect(await exists('events', { id: ev.dead.id })).toBe(false);
    expect(await exists('events', { id: unsubscribed.id })).toBe(false);
    for (const d of deliveries) {
      expect(await exists('webhook_deliveries', { id: d })).toBe(false);
      expect(await exists('webhook_attempts', { delivery_id: d })).toBe(false);
    }
    // Kept: a delivery still pending, younger than the retention, not yet fanned out.
    for (const e of [ev.pending, ev.recent, notFanned]) expect(await exists('events', { id: e.id })).toBe(true);
    expect(await exists('webhook_attempts', { delivery_id: (await t.db('webhook_deliveries').where({ event_id: ev.pending.id }).first('id')).id })).toBe(true);
    // The audit log is the record: every row stays, including those of pruned events.
    expect(Number((await t.db('audit_log').where({ org_id: org.id }).count<{ n: number }[]>({ n: '*' }))[0]!.n)).toBe(auditBefore);
    expect(await exists('audit_log', { id: ev.delivered.audit_id })).toBe(true);
    // Nothing more to prune at 30 days; at 7 days the recent one goes too.
    expect(await pruneEvents(t.db, 30)).toBe(0);
    expect(await pruneEvents(t.db, 7)).toBe(1);
    expect(await exists('events', { id: ev.recent.id })).toBe(false);
  });

  it('goes in batches until one comes back short', async () => {
    const { ev, unsubscribed } = await scene();
    await t.db('events').where({ id: unsubscribed.id }).update({ at: t.db.raw('now()') });
    const before = await t.db('events').whereIn('id', [ev.delivered.id, ev.dead.id]).pluck('id');
    expect(before).toHaveLength(2);
    expect(await pruneEvents(t.db, 30, 1)).toBe(1);
    expect(await pruneEvents(t.db, 30, 1)).toBe(1);
    expect(await t.db('events').whereIn('id', [ev.delivered.id, ev.dead.id]).pluck('id')).toEqual([]);
  });

  it('the worker prunes on its first round and then once an hour; WEBHOOK_RETENTION_DAYS sets the age', async () => {
    const config = loadConfig({ SESSION_SECRET: 'x'.repeat(32), WEBHOOK_RETENTION_DAYS: '35' });
    expect(config.webhooks.retentionDays).toBe(35);
    expect(loadConfig({ SESSION_SECRET: 'x'.repeat(32) }).webhooks.retentionDays).toBe(30);
    const { ev, unsubscribed } = await scene();
    await t.db('events').where({ id: unsubscribed.id }).update({ at: t.db.raw('now()') });
    // Other tests' leftovers in this database are old enough too; count only this scene's.
    await t.db('events').whereNotIn('id', Object.values(ev).map((e) => e.id)).where('at', '<', t.db.raw("now() - interval '35 days'")).update({ at: t.db.raw('now()') });
    const w = startWebhookWorker(t.db, config.webhooks, createLogger('silent'), { loop: false });
    // The endpoint is unreachable (no such host): the round's sends fail, the prune still runs.
    await t.db('webhook_deliveries').whereIn('event_id', Object.values(ev).map((e) => e.id)).update({ next_attempt_at: t.db.raw("now() + interval '1 hour'") });
    const first = await w.round();
    expect(first.pruned).toBe(2); // delivered and dead, 40 days old; retention 35
    await t.db('events').where({ id: ev.recent.id }).update({ at: t.db.raw("now() - interval '40 days'") });
    expect((await w.round()).pruned).toBe(0); // within the hour
    expect(await exists('events', { id: ev.recent.id })).toBe(true);
    await w.stop();
  });

  it('a redelivery accepted while the prune runs is not deleted under it', async () => {
    const { ev, unsubscribed } = await scene();
    await t.db('events').where({ id: unsubscribed.id }).update({ at: t.db.raw('now()') });
    const d = await t.db('webhook_deliveries').where({ event_id: ev.dead.id }).first('id', 'endpoint_id');
    const org = (await t.db('webhook_endpoints').where({ id: d.endpoint_id }).first('org_id')).org_id as string;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let redelivered!: () => void;
    const done = new Promise<void>((r) => (redelivered = r));
    // The redelivery's transaction stays open while the prune runs.
    const tx = runInTransaction(t.db, testActor, async (x) => {
      await redeliver(x, org, d.endpoint_id, d.id);
      redelivered();
      await held;
    });
    await done;
    const pruning = pruneEvents(t.db, 30);
    await new Promise((r) => setTimeout(r, 300));
    release();
    await tx;
    await pruning;
    expect(await t.db('webhook_deliveries').where({ id: d.id }).first('status')).toEqual({ status: 'pending' });
    expect(await exists('events', { id: ev.dead.id })).toBe(true);
  });
});
