import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createScimToken } from '../../src/domain/scim-tokens.ts';
import { createEndpoint } from '../../src/events/endpoints.ts';
import { createTestDb, onPostgres, type TestDb } from '../support/db.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';
import { freePort } from '../support/ports.ts';
import { startReceiver, verifyStandardWebhook, type Receiver } from '../support/webhook-receiver.ts';

// Durability (issue 16 item 3): `kill -9` of a real server process (tsx src/main.ts on a
// PostgreSQL schema) in the middle of a 1,000-operation Bulk and of webhook deliveries
// loses nothing acknowledged. Every acknowledged create is in the database with its
// event, no change is there without its event, and after a restart every event reaches
// the receiver (on loopback, allowed by configuration). PostgreSQL only: the brief's
// server runs on a shared PostgreSQL, as in production.

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
let t: TestDb;
let rx: Receiver;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!onPostgres()) return;
  t = await createTestDb();
  rx = await startReceiver();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rx?.close();
  await t?.close();
});

async function startServer(port: number): Promise<ChildProcess> {
  const url = new URL(process.env.DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${t.schema}`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url.href,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1',
      WEBHOOK_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_BACKOFF_BASE_MS: '200',
      WEBHOOK_BACKOFF_MAX_MS: '1000',
      WEBHOOK_MAX_ATTEMPTS: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not become ready');
}

async function until(what: string, check: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!onPostgres())('kill -9', () => {
  it('loses no acknowledged change, no event, and no delivery', { timeout: 300_000 }, async () => {
    const org = await makeOrg(t.db, 'Durable');
    await makeMember(t.db, org.id, { userName: 'root@durable.example', orgRole: 'admin' });
    const { token } = await runInTransaction(t.db, testActor, (tx) => createScimToken(tx, org.id, 'idp'));
    const policy = { allowHttpHosts: ['127.0.0.1'], allowPrivateHosts: ['127.0.0.1'] };
    const { secret } = await runInTransaction(t.db, testActor, (tx) => createEndpoint(tx, org.id, { url: `${rx.url}/hook`, eventTypes: ['*'] }, policy));
    // The receiver holds its answers until the kill: deliveries are in flight when it lands.
    let holding = true;
    rx.answer = () => (holding ? { status: 200, delayMs: 60_000 } : 200);

    const port = await freePort();
    const server = await startServer(port);
    const scim = (method: string, path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${port}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) });

    // Acknowledged creates, before and during the Bulk.
    const acknowledged: string[] = [];
    const single = async (userName: string) => {
      const r = await scim('POST', '/Users', { schemas: [SCIM_USER], userName });
      if (r.status === 201) acknowledged.push(((await r.json()) as { id: string }).id);
    };
    for (let i = 0; i < 10; i++) await single(`single-${i}@durable.example`);
    expect(acknowledged).toHaveLength(10);

    const ops = Array.from({ length: 1000 }, (_, i) => ({ method: 'POST', bulkId: `b${i}`, path: '/Users', data: { schemas: [SCIM_USER], userName: `bulk-${i}@durable.example` } }));
    const bulk = scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ops }).then((r) => r.status, (err: unknown) => err);
    let killed = false;
    const during = (async () => {
      for (let i = 0; !killed; i++) await single(`during-${i}@durable.example`).catch(() => undefined);
    })();
    const bulkRows = () => t.db('users').where({ org_id: org.id }).where('user_name', 'like', 'bulk-%').count<{ n: number }[]>({ n: '*' }).then((r) => Number(r[0]!.n));
    await until('the Bulk to be under way and a delivery in flight', async () => (await bulkRows()) >= 100 && rx.received.length > 0);
    server.kill('SIGKILL');
    killed = true;
    await once(server, 'exit');
    const bulkOutcome = await bulk;
    await during;
    const createdByBulk = await bulkRows();
    // The kill landed mid-Bulk: its answer never came, and part of it was written.
    expect(bulkOutcome).toBeInstanceOf(Error);
    expect(createdByBulk).toBeGreaterThanOrEqual(100);
    expect(createdByBulk).toBeLessThan(1000);

    // Every acknowledged create is there; every create there has its event, and every
    // event its audit row.
    const users = await t.db('users').where({ org_id: org.id }).select('id');
    const ids = new Set(users.map((u) => u.id as string));
    for (const id of acknowledged) expect(ids.has(id), id).toBe(true);
    const provisioned = await t.db('events as e').join('audit_log as a', 'a.id', 'e.audit_id').where({ 'e.org_id': org.id, 'e.type': 'member.provisioned' }).select('a.target_id');
    expect(new Set(provisioned.map((p) => p.target_id))).toEqual(ids);
    expect(provisioned).toHaveLength(ids.size);

    // Restart: every event of the organization reaches the receiver, the ones in flight at
    // the kill included (at least once: the receiver deduplicates on webhook-id).
    holding = false;
    const restarted = await startServer(await freePort());
    const events = await t.db('events').where({ org_id: org.id }).select('id');
    const expected = new Set(events.map((e) => `msg_${e.id}`));
    const undelivered = async () =>
      Number((await t.db('webhook_deliveries as d').join('events as e', 'e.id', 'd.event_id').where({ 'e.org_id': org.id }).whereNot('d.status', 'delivered').count<{ n: number }[]>({ n: '*' }))[0]!.n);
    await until('every event delivered', async () => {
      const got = new Set(rx.received.filter((r) => r.path === '/hook').map((r) => String(r.headers['webhook-id'])));
      return [...expected].every((id) => got.has(id));
    });
    // A delivery the killed process sent (the receiver has it) but never recorded is sent
    // again once its lease lapses: wait for every delivery row to say so, not only the
    // receiver (at least once, then recorded).
    await until('every delivery recorded as delivered', async () => (await undelivered()) === 0);
    restarted.kill('SIGTERM');
    await once(restarted, 'exit');
    const hooks = rx.received.filter((r) => r.path === '/hook');
    for (const r of hooks.slice(0, 50)) expect(verifyStandardWebhook(secret, r.headers, r.body)).toBe(true);
    const pending = await t.db('webhook_deliveries as d').join('events as e', 'e.id', 'd.event_id').where({ 'e.org_id': org.id }).whereNot('d.status', 'delivered').count<{ n: number }[]>({ n: '*' });
    expect(Number(pending[0]!.n)).toBe(0);
    process.stderr.write(`[kill -9] acknowledged ${acknowledged.length}, written by the cut Bulk ${createdByBulk}, events ${events.length}, requests received ${hooks.length}\n`);
  });
});
