import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import knexFactory from 'knex';
import { openDb } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { addMembersSql, bulkCreateSql, createUserSql, filterUserSql, floorPool, listGroupsSql, pageUsersSql, removeMemberSql } from './floor.ts';
import { client, percentile, throughput, timeEach } from './http.ts';
import { seed } from './seed.ts';

// npm run bench [-- --users 1000000] — issue 3 point 8. Seeds a directory on real
// PostgreSQL (its own schema, dropped afterwards), starts orgbridge in a child process,
// measures over HTTP, measures the same work as bare SQL (the floor), and writes
// BENCHMARKS.md. Not part of npm test.

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const USERS = arg('users', 100_000);
const WORKERS = arg('workers', 1);
const TEAMS = arg('teams', 1000);
const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const log = (s: string) => process.stdout.write(`${s}\n`);
const uid = (g: number) => {
  const h = createHash('md5').update(`u${g}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const q = encodeURIComponent;

interface Row {
  what: string;
  http: string;
  floor: string;
  ratio: string;
  target: string;
  met: string;
}

async function startServer(schema: string): Promise<{ child: ChildProcess; port: number; pids: number[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server.ts'], {
    env: { ...process.env, BENCH_DATABASE_URL: URL, BENCH_SCHEMA: schema, BENCH_WORKERS: String(WORKERS), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { port, pids } = await new Promise<{ port: number; pids: number[] }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /PORT (\d+)\nPIDS ([\d,]+)\n/.exec(buf);
      if (m) resolve({ port: Number(m[1]), pids: m[2]!.split(',').map(Number) });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port, pids };
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / 100;
}

/**
 * CPU seconds all PostgreSQL processes on this machine have used (it runs on the same box).
 * A backend that exits (a pool closing an idle connection) takes its own count with it,
 * but the postmaster reaps it and adds it to its children's count (cutime, cstime), so
 * those are summed too.
 */
function postgresCpu(): number {
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (!stat.includes(' (postgres) ')) continue;
      const f = stat.split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      /* process gone */
    }
  }
  return ticks / 100;
}

function rssSampler(pids: number[]) {
  let max = 0;
  const read = () => {
    for (const pid of pids) {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) max = Math.max(max, Number(m[1]) / 1024);
      } catch {
        /* process gone */
      }
    }
  };
  const timer = setInterval(read, 50);
  return { stop: () => (clearInterval(timer), read(), max), peek: () => max };
}

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  const db = openDb({ databaseUrl: URL, dataDir: 'unused', schema, poolMax: 4 });
  const pool = floorPool(URL, schema, 16);
  let server: ChildProcess | undefined;
  try {
    log(`orgbridge bench: ${USERS.toLocaleString('en')} users, ${TEAMS} teams, schema ${schema}`);
    await migrate(db);
    const t0 = Date.now();
    const seeded = await seed(db, USERS, TEAMS, log);
    log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const pgVersion = (await db.raw('show server_version')).rows[0].server_version as string;

    const s = await startServer(schema);
    server = s.child;
    const rss = rssSampler(s.pids);
    const loadBefore = loadavg()[0]!;
    const call = client(s.port, seeded.token);
    const rows: Row[] = [];
    const add = (what: string, http: string, floor: string, ratio: string, target: string, met: boolean | null) =>
      rows.push({ what, http, floor, ratio, target, met: met === null ? '—' : met ? 'yes' : '**no**' });
    const check = async (p: Promise<{ status: number; body: string }>, status: number) => {
      const r = await p;
      if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.body.slice(0, 300)}`);
      return r;
    };
    const rand = (n: number) => 1 + Math.floor(Math.random() * n);

    // warm-up (JIT, pools, plan caches)
    for (let i = 0; i < 300; i++) await check(call('GET', `/scim/v2/Users?filter=${q(`userName eq "user${rand(USERS)}@bench.test"`)}`), 200);
    for (let i = 0; i < 300; i++) await filterUserSql(pool, seeded.token, seeded.orgId, `user${rand(USERS)}@bench.test`);

    // 1. filter=userName eq
    log('filter userName eq …');
    const first = JSON.parse((await check(call('GET', `/scim/v2/Users?filter=${q('userName eq "USER42@bench.test"')}`), 200)).body);
    if (first.totalResults !== 1) throw new Error('filter found no user');
    const fHttp = await timeEach(2000, async () => void (await check(call('GET', `/scim/v2/Users?filter=${q(`userName eq "user${rand(USERS)}@bench.test"`)}`), 200)));
    const fSql = await timeEach(2000, async () => void (await filterUserSql(pool, seeded.token, seeded.orgId, `user${rand(USERS)}@bench.test`)));
    add('`filter=userName eq` p50', `${ms(percentile(fHttp, 50))} ms`, `${ms(percentile(fSql, 50))} ms`, `${(percentile(fHttp, 50) / percentile(fSql, 50)).toFixed(1)}×`, '', null);
    add('`filter=userName eq` p99', `${ms(percentile(fHttp, 99))} ms`, `${ms(percentile(fSql, 99))} ms`, `${(percentile(fHttp, 99) / percentile(fSql, 99)).toFixed(1)}×`, '< 10 ms', percentile(fHttp, 99) < 10);

    // 2. pages of 100 users, while 10,000-member teams exist
    log('pages …');
    const p1Http = await timeEach(300, async () => void (await check(call('GET', '/scim/v2/Users?startIndex=1&count=100'), 200)));
    const p1Sql = await timeEach(300, async () => void (await pageUsersSql(pool, seeded.token, seeded.orgId, 0)));
    add('100-user page, `startIndex=1`, p50', `${ms(percentile(p1Http, 50))} ms`, `${ms(percentile(p1Sql, 50))} ms`, `${(percentile(p1Http, 50) / percentile(p1Sql, 50)).toFixed(1)}×`, '< 20 ms', percentile(p1Http, 50) < 20);
    add('100-user page, `startIndex=1`, p99', `${ms(percentile(p1Http, 99))} ms`, `${ms(percentile(p1Sql, 99))} ms`, `${(percentile(p1Http, 99) / percentile(p1Sql, 99)).toFixed(1)}×`, '', null);
    const deep = USERS - 99;
    const pdHttp = await timeEach(100, async () => void (await check(call('GET', `/scim/v2/Users?startIndex=${deep}&count=100`), 200)));
    const pdSql = await timeEach(100, async () => void (await pageUsersSql(pool, seeded.token, seeded.orgId, deep - 1)));
    add(`100-user page, \`startIndex=${deep.toLocaleString('en')}\`, p50`, `${ms(percentile(pdHttp, 50))} ms`, `${ms(percentile(pdSql, 50))} ms`, `${(percentile(pdHttp, 50) / percentile(pdSql, 50)).toFixed(1)}×`, '', null);
    add(`100-user page, \`startIndex=${deep.toLocaleString('en')}\`, p99`, `${ms(percentile(pdHttp, 99))} ms`, `${ms(percentile(pdSql, 99))} ms`, `${(percentile(pdHttp, 99) / percentile(pdSql, 99)).toFixed(1)}×`, '', null);

    // 3. GET /Groups?excludedAttributes=members (a page of 100 teams)
    log('groups …');
    const gHttp = await timeEach(300, async () => void (await check(call('GET', '/scim/v2/Groups?excludedAttributes=members'), 200)));
    const gSql = await timeEach(300, async () => void (await listGroupsSql(pool, seeded.token, seeded.orgId)));
    add('`GET /Groups?excludedAttributes=members` (100 of 1,000) p50', `${ms(percentile(gHttp, 50))} ms`, `${ms(percentile(gSql, 50))} ms`, `${(percentile(gHttp, 50) / percentile(gSql, 50)).toFixed(1)}×`, '', null);
    add('`GET /Groups?excludedAttributes=members` p99', `${ms(percentile(gHttp, 99))} ms`, `${ms(percentile(gSql, 99))} ms`, `${(percentile(gHttp, 99) / percentile(gSql, 99)).toFixed(1)}×`, '', null);

    // 4. remove one member from a 10,000-member team
    log('remove one member …');
    const team0 = seeded.bigTeams[0]!;
    const team1 = seeded.bigTeams[1]!;
    const rHttp = await timeEach(300, async (i) =>
      void (await check(call('PATCH', `/scim/v2/Groups/${team0}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: `members[value eq "${uid(i + 1)}"]` }] }), 204)),
    );
    const rSql = await timeEach(300, async (i) => void (await removeMemberSql(pool, seeded.token, seeded.orgId, team1, uid(10000 + i + 1))));
    add('remove 1 member from a 10,000-member team, p50', `${ms(percentile(rHttp, 50))} ms`, `${ms(percentile(rSql, 50))} ms`, `${(percentile(rHttp, 50) / percentile(rSql, 50)).toFixed(1)}×`, '< 20 ms', percentile(rHttp, 50) < 20);
    add('remove 1 member from a 10,000-member team, p99', `${ms(percentile(rHttp, 99))} ms`, `${ms(percentile(rSql, 99))} ms`, `${(percentile(rHttp, 99) / percentile(rSql, 99)).toFixed(1)}×`, '', null);

    // 5. PATCH adding 10,000 members in one request (three fresh teams)
    log('add 10,000 members …');
    const aHttp: number[] = [];
    const aSql: number[] = [];
    for (let k = 0; k < 3; k++) {
      const g = JSON.parse((await check(call('POST', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `bench-add-${k}` }), 201)).body);
      const members = Array.from({ length: 10000 }, (_, i) => ({ value: uid(((k * 10000 + i) % USERS) + 1) }));
      const t = process.hrtime.bigint();
      await check(call('PATCH', `/scim/v2/Groups/${g.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: members }] }), 204);
      aHttp.push(Number(process.hrtime.bigint() - t) / 1e6);
      const fg = (await pool.query(`insert into teams (id, org_id, name) values (gen_random_uuid(), $1, $2) returning id`, [seeded.orgId, `floor-add-${k}`])).rows[0].id;
      const t2 = process.hrtime.bigint();
      await addMembersSql(pool, seeded.token, seeded.orgId, fg, members.map((m) => m.value));
      aSql.push(Number(process.hrtime.bigint() - t2) / 1e6);
    }
    aHttp.sort((a, b) => a - b);
    aSql.sort((a, b) => a - b);
    add('PATCH adding 10,000 members in one request (median of 3)', `${ms(aHttp[1]!)} ms`, `${ms(aSql[1]!)} ms`, `${(aHttp[1]! / aSql[1]!).toFixed(1)}×`, '< 2 s', aHttp[2]! < 2000);

    // 6. POST /Users at 16 concurrent clients. Both paths are warmed first, then measured
    // in alternating rounds (HTTP, floor, HTTP, floor, …) so that drift on this shared
    // machine (autovacuum, checkpoints, neighbours) falls on both alike; throughput is each
    // path's creates over its own time. CPU is read from /proc for every party: the server
    // process, the floor (this process while it runs the floor), the load generator (this
    // process while it drives HTTP) and PostgreSQL's backends.
    log('POST /Users at 16 concurrent clients …');
    const ROUNDS = 4;
    const PER_ROUND = 1000;
    let seq = 0;
    const postOne = (i: number, k: number) =>
      check(call('POST', '/scim/v2/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `new${k}-${i}@bench.test`, name: { givenName: 'Given', familyName: 'Family' }, emails: [{ value: `new${k}-${i}@bench.test`, type: 'work', primary: true }], active: true }), 201).then(() => undefined);
    const floorOne = (i: number, k: number) => createUserSql(pool, seeded.token, seeded.orgId, `floor${k}-${i}@bench.test`);
    await throughput(500, 16, (i) => postOne(i, seq));
    await throughput(500, 16, (i) => floorOne(i, seq++));
    const acc = { httpMs: 0, floorMs: 0, server: 0, loadgen: 0, floorCpu: 0, pgHttp: 0, pgFloor: 0 };
    for (let k = 0; k < ROUNDS; k++) {
      const round = ++seq;
      const srv0 = cpuOf(s.pids);
      let pg0 = postgresCpu();
      let own0 = process.cpuUsage();
      let t0 = performance.now();
      await throughput(PER_ROUND, 16, (i) => postOne(i, round));
      acc.httpMs += performance.now() - t0;
      let own = process.cpuUsage(own0);
      acc.loadgen += (own.user + own.system) / 1e6;
      acc.server += cpuOf(s.pids) - srv0;
      acc.pgHttp += postgresCpu() - pg0;
      pg0 = postgresCpu();
      own0 = process.cpuUsage();
      t0 = performance.now();
      await throughput(PER_ROUND, 16, (i) => floorOne(i, round));
      acc.floorMs += performance.now() - t0;
      own = process.cpuUsage(own0);
      acc.floorCpu += (own.user + own.system) / 1e6;
      acc.pgFloor += postgresCpu() - pg0;
    }
    const N_POST = ROUNDS * PER_ROUND;
    const postHttp = N_POST / (acc.httpMs / 1000);
    const postSql = N_POST / (acc.floorMs / 1000);
    const per = (cpuSeconds: number) => `${((cpuSeconds / N_POST) * 1000).toFixed(2)} ms`;
    add(`POST /Users, 16 concurrent clients${WORKERS > 1 ? ` (${WORKERS} server processes)` : ''}, ${ROUNDS} alternating rounds of ${PER_ROUND.toLocaleString('en')}`, `${postHttp.toFixed(0)} /s`, `${postSql.toFixed(0)} /s`, `${(postHttp / postSql).toFixed(2)} of floor`, '≥ 0.5 of floor', postHttp / postSql >= 0.5);
    add('CPU per create: server process vs floor process', per(acc.server), per(acc.floorCpu), `${(acc.server / acc.floorCpu).toFixed(1)}×`, '', null);
    add('CPU per create: load generator (the HTTP client; the floor has none)', per(acc.loadgen), '', '', '', null);
    add('CPU per create: PostgreSQL backends', per(acc.pgHttp), per(acc.pgFloor), `${(acc.pgHttp / acc.pgFloor).toFixed(1)}×`, '', null);

    // 7. a 1,000-operation Bulk request
    log('Bulk …');
    const bHttp: number[] = [];
    const bSql: number[] = [];
    for (let k = 0; k < 2; k++) {
      const ops = Array.from({ length: 1000 }, (_, i) => ({ method: 'POST', bulkId: `b${i}`, path: '/Users', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `bulk${k}-${i}@bench.test` } }));
      const t = process.hrtime.bigint();
      const r = await check(call('POST', '/scim/v2/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ops }), 200);
      bHttp.push(Number(process.hrtime.bigint() - t) / 1e6);
      const statuses = (JSON.parse(r.body).Operations as { status: string }[]).filter((o) => o.status !== '201');
      if (statuses.length) throw new Error(`bulk: ${statuses.length} operations failed`);
      const t2 = process.hrtime.bigint();
      await bulkCreateSql(pool, seeded.token, seeded.orgId, Array.from({ length: 1000 }, (_, i) => `floorbulk${k}-${i}@bench.test`));
      bSql.push(Number(process.hrtime.bigint() - t2) / 1e6);
    }
    const bh = Math.min(...bHttp);
    const bs = Math.min(...bSql);
    add('Bulk, 1,000 POST /Users operations (best of 2)', `${ms(bh)} ms`, `${ms(bs)} ms`, `${(bh / bs).toFixed(1)}×`, '', null);

    const maxRss = rss.stop();
    add('server resident memory, maximum over the run', `${maxRss.toFixed(0)} MB`, '', '', '< 300 MB', maxRss < 300);
    writeReport(rows, { pgVersion, load: `${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}` });
    for (const r of rows) log(`${r.what}: ${r.http} | floor ${r.floor} | ${r.ratio} | ${r.target} ${r.met}`);
  } finally {
    server?.kill('SIGTERM');
    await pool.end();
    await db.destroy();
    await admin.raw(`drop schema ${schema} cascade`);
    await admin.destroy();
  }
}

function writeReport(rows: Row[], info: { pgVersion: string; load: string }): void {
  const file = 'BENCHMARKS.md';
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}, Node ${process.version}, PostgreSQL ${info.pgVersion} on the same machine`;
  const section = [
    `## ${USERS.toLocaleString('en')} users, ${TEAMS.toLocaleString('en')} teams${WORKERS > 1 ? `, ${WORKERS} server processes` : ''}`,
    '',
    `Run ${new Date().toISOString()} on ${machine}; ${WORKERS} server process${WORKERS > 1 ? 'es' : ''}. One-minute load average during the run: ${info.load} (the machine was shared with other work).`,
    '',
    '| measurement | orgbridge over HTTP | bare SQL floor (`pg`) | orgbridge / floor | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${r.http} | ${r.floor} | ${r.ratio} | ${r.target} | ${r.met} |`),
    '',
  ].join('\n');
  const header = [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (`bench/run.ts`; `-- --users 1000000` for the large run). Each run seeds a',
    'fresh PostgreSQL schema with bare SQL (users with an email and a membership; 1,000 teams, ten of them',
    'with 10,000 members), starts orgbridge in a child process, drives it over HTTP with a keep-alive',
    'client from the benchmark process, and measures the same work as bare SQL through `pg` (the floor:',
    'no HTTP, no Express, no knex, no domain checks). Latencies are client-side, one request at a time',
    'unless stated; POST /Users runs 16 concurrent clients for both. The server process\'s resident',
    'memory is sampled from /proc every 50 ms for the whole run.',
    '',
  ].join('\n');
  let body = existsSync(file) ? readFileSync(file, 'utf8') : header;
  if (!body.startsWith('# Benchmarks')) body = header;
  const title = section.split('\n')[0]!;
  // one section per directory size (and worker count): a rerun replaces its own section
  const start = body.indexOf(`${title}\n`);
  if (start >= 0) {
    const next = body.indexOf('\n## ', start + 1);
    body = body.slice(0, start) + section + (next >= 0 ? `\n${body.slice(next + 1)}` : '');
  } else body = `${body.trimEnd()}\n\n${section}`;
  writeFileSync(file, body.endsWith('\n') ? body : `${body}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
