import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import knexFactory from 'knex';
import { openDb } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { client, percentile, throughput, timeEach } from './http.ts';
import { seed } from './seed.ts';
import { requestLimits } from '../src/http/rate-limit/request-limits.ts';

// npx tsx bench/ab-rate-limit.ts — what the request limits (issue 14 item 11) cost the SCIM
// hot path. Three servers on one freshly seeded schema, identical but for RATE_LIMIT_*:
// limits off (the build before), limits on and batched (the default, RATE_LIMIT_SYNC_MS=1000),
// and limits on and exact (RATE_LIMIT_SYNC_MS=0: one awaited upsert per request). They are
// measured in alternating rounds (off, batched, exact, off, …) so that drift on this shared
// machine falls on all three: `filter=userName eq` latency one request at a time, and
// POST /Users at 16 concurrent clients with the server's CPU per create read from /proc.

const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const USERS = 5000;
const ROUNDS = Number(process.env.AB_ROUNDS ?? 4);
const GETS = 800;
const CREATES = 800;
const log = (s: string) => process.stdout.write(`${s}\n`);

const VARIANTS: { name: string; env: Record<string, string> }[] = [
  { name: 'limits off', env: { RATE_LIMIT_SCIM_PER_TOKEN: '0', RATE_LIMIT_SCIM_PER_ADDRESS: '0' } },
  { name: 'limits on, batched (default)', env: {} },
  { name: 'limits on, exact (sync 0)', env: { RATE_LIMIT_SYNC_MS: '0' } },
];

async function start(schema: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server.ts'], {
    env: { ...process.env, BENCH_DATABASE_URL: URL, BENCH_SCHEMA: schema, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /PORT (\d+)\nPIDS (\d+)\n/.exec(buf);
      if (m) resolve({ child, port: Number(m[1]), pid: Number(m[2]) });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

const cpuOf = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const schema = `bench_ab_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  const db = openDb({ databaseUrl: URL, dataDir: 'unused', schema, poolMax: 4 });
  const servers: { child: ChildProcess; port: number; pid: number }[] = [];
  try {
    await migrate(db);
    const seeded = await seed(db, USERS, 50, log);
    for (const v of VARIANTS) servers.push(await start(schema, v.env));
    const calls = servers.map((s) => client(s.port, seeded.token));
    const loadBefore = loadavg()[0]!;
    const rand = () => 1 + Math.floor(Math.random() * USERS);
    const get = (i: number) => async () => {
      const r = await calls[i]!('GET', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${rand()}@bench.test"`)}`);
      if (r.status !== 200) throw new Error(`GET ${r.status} ${r.body.slice(0, 200)}`);
    };
    let n = 0;
    const create = (i: number) => async () => {
      const r = await calls[i]!('POST', '/scim/v2/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `ab${n++}-${randomBytes(4).toString('hex')}@bench.test` });
      if (r.status !== 201) throw new Error(`POST ${r.status} ${r.body.slice(0, 200)}`);
    };
    for (let i = 0; i < servers.length; i++) {
      for (let k = 0; k < 300; k++) await get(i)();
      await throughput(300, 16, create(i));
    }
    const p50: number[][] = VARIANTS.map(() => []);
    const p99: number[][] = VARIANTS.map(() => []);
    const rate: number[][] = VARIANTS.map(() => []);
    const cpu: number[][] = VARIANTS.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < servers.length; i++) {
        const lat = await timeEach(GETS, get(i));
        p50[i]!.push(percentile(lat, 50));
        p99[i]!.push(percentile(lat, 99));
        const c0 = cpuOf(servers[i]!.pid);
        rate[i]!.push(await throughput(CREATES, 16, create(i)));
        cpu[i]!.push(((cpuOf(servers[i]!.pid) - c0) / CREATES) * 1000);
      }
      log(`round ${round + 1}/${ROUNDS} done`);
    }
    const loadAfter = loadavg()[0]!;
    log(`\n${ROUNDS} alternating rounds; ${USERS.toLocaleString('en')} users; medians over rounds; load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}\n`);
    log('| server | `filter=userName eq` p50 | p99 | POST /Users, 16 clients | server CPU per create |');
    log('|---|---|---|---|---|');
    VARIANTS.forEach((v, i) => {
      log(`| ${v.name} | ${median(p50[i]!).toFixed(2)} ms | ${median(p99[i]!).toFixed(2)} ms | ${median(rate[i]!).toFixed(0)} /s | ${median(cpu[i]!).toFixed(2)} ms |`);
    });
    VARIANTS.forEach((v, i) => {
      if (i === 0) return;
      log(`${v.name} vs off: p50 ${(((median(p50[i]!) / median(p50[0]!)) - 1) * 100).toFixed(1)}%, creates/s ${(((median(rate[i]!) / median(rate[0]!)) - 1) * 100).toFixed(1)}%, CPU per create ${(((median(cpu[i]!) / median(cpu[0]!)) - 1) * 100).toFixed(1)}%`);
    });
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await db.destroy();
    await admin.raw(`drop schema ${schema} cascade`);
    await admin.destroy();
  }
}

/**
 * The limiters alone, in-process: both SCIM limiters (per address, per token) in batched
 * mode on a fresh request object each time (so the credential digest is computed), with
 * limits no request reaches. Microseconds of CPU per request, to set against the server's
 * ~1–2 ms per request.
 */
async function middlewareOnly(): Promise<void> {
  const noDb = {} as never; // batched: nothing is written before the first flush (1,000 s away)
  const { middleware } = requestLimits(noDb, { error() {} } as never, 'scim', { perToken: 1e9, perAddress: 1e9 }, { windowSeconds: 60, syncMs: 1_000_000 }, () => new Error('refused'));
  const res = { setHeader() {}, set() {}, on() {}, getHeader() {}, headersSent: false, statusCode: 200 };
  const once = async (i: number) => {
    const req = { headers: { authorization: `Bearer obscim_${String(i % 1000).padStart(43, 'a')}` }, ip: `10.0.${(i >> 8) & 255}.${i & 255}`, app: { get: () => false }, get: () => undefined, method: 'GET', url: '/Users' };
    for (const m of middleware) await new Promise<void>((resolve) => m(req as never, res as never, () => resolve()));
  };
  for (let i = 0; i < 20_000; i++) await once(i);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < 50_000; i++) await once(i);
    runs.push(Number(process.hrtime.bigint() - t) / 1e3 / 50_000);
  }
  log(`both SCIM limiters, in-process: ${median(runs).toFixed(1)} µs per request (median of 5 × 50,000; load ${loadavg()[0]!.toFixed(1)})`);
}

if (process.argv.includes('--middleware-only')) await middlewareOnly();
else await main();
