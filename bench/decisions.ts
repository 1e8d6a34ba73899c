import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import knexFactory from 'knex';
import { Pool } from 'undici';
import { loadConfig } from '../src/config/load.ts';
import { openDb } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { runInTransaction, systemActor } from '../src/domain/context.ts';
import { addMember } from '../src/domain/memberships.ts';
import { createOrganization } from '../src/domain/organizations.ts';
import { createPlatformCredential } from '../src/domain/platform-credentials.ts';
import { createProject, type ProjectVisibility } from '../src/domain/projects.ts';
import { addTeamMembers, createTeam } from '../src/domain/teams.ts';
import { buildApp } from '../src/http/app.ts';
import { createLogger } from '../src/lib/logger.ts';
import { BENCH_DATABASE_URL, percentile, throughput, option } from './http.ts';

// npm run bench:decisions — issue 15: what the platform waits for when it asks
// POST /api/v1/decisions. One organization of --members people in --teams teams (each
// person in one team), --projects projects of every visibility; the server runs in this
// process (buildApp, default configuration, its own pool of 10), the load generator is
// undici over keep-alive. Measured, after a warm-up:
//  1. one check per request, sequential: latency p50/p99 (what a gate in the platform's
//     request path costs);
//  2. one check per request at 16 concurrent clients: requests/s;
//  3. batches of 1,000 mixed checks (persons by member id, every permission kind,
//     projects of all visibilities, owned objects), sequential: latency p50/p99 and
//     checks/s.
// Every decision reads current state (no cache: a deactivation is seen by the very next
// decision), so these are the figures of a read of that state per request.

const opt = option;
const URL_ = BENCH_DATABASE_URL;
const MEMBERS = Number(opt('members', '5000'));
const TEAMS = Number(opt('teams', '50'));
const PROJECTS = Number(opt('projects', '500'));
const SINGLES = Number(opt('singles', '2000'));
const BATCHES = Number(opt('batches', '40'));
const log = (s: string) => process.stdout.write(`${s}\n`);

const PERMISSIONS = ['experiments.view', 'experiments.log', 'experiments.delete', 'reports.edit', 'artifacts.download', 'projects.visibility.edit', 'run:create', 'report:delete'];
const VISIBILITIES: ProjectVisibility[] = ['team', 'restricted', 'open', 'public'];

async function main() {
  const admin = knexFactory({ client: 'pg', connection: URL_ });
  const schema = `bench_dec_${randomBytes(4).toString('hex')}`;
  await admin.raw(`create schema ${schema}`);
  const db = openDb({ databaseUrl: URL_, dataDir: 'unused', schema, poolMax: 10 });
  try {
    await migrate(db);
    const t0 = Date.now();
    const org = await runInTransaction(db, systemActor, (tx) => createOrganization(tx, { name: `bench-${schema}` }));
    const teams = await runInTransaction(db, systemActor, async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < TEAMS; i++) out.push((await createTeam(tx, org.id, { name: `team-${i}` })).id);
      return out;
    });
    const members: string[] = [];
    for (let start = 0; start < MEMBERS; start += 500) {
      await runInTransaction(db, systemActor, async (tx) => {
        const ids: string[] = [];
        for (let i = start; i < Math.min(MEMBERS, start + 500); i++) {
          ids.push((await addMember(tx, { orgId: org.id, person: { userName: `p${i}@bench.test`, email: `p${i}@bench.test` } })).user.id);
        }
        members.push(...ids);
        // Each person in one team, a tenth of them as team admins.
        for (let k = 0; k < TEAMS; k++) {
          const inTeam = ids.filter((_, j) => (start + j) % TEAMS === k);
          await addTeamMembers(tx, org.id, teams[k]!, inTeam.filter((_, j) => j % 10 !== 0), 'member');
          await addTeamMembers(tx, org.id, teams[k]!, inTeam.filter((_, j) => j % 10 === 0), 'admin');
        }
      });
    }
    const projects = await runInTransaction(db, systemActor, async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < PROJECTS; i++) {
        out.push((await createProject(tx, org.id, { name: `proj-${i}`, teamId: teams[i % TEAMS]!, visibility: VISIBILITIES[i % VISIBILITIES.length] })).id);
      }
      return out;
    });
    const { secret } = await runInTransaction(db, systemActor, (tx) => createPlatformCredential(tx, org.id, 'bench'));
    log(`seeded ${MEMBERS} members, ${TEAMS} teams, ${PROJECTS} projects in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const config = loadConfig({ SESSION_SECRET: 'bench-session-secret-0123456789-abcdefghij', RATE_LIMIT_DECISIONS_PER_TOKEN: '0', RATE_LIMIT_DECISIONS_PER_ADDRESS: '0' });
    const server = createServer(buildApp({ db, config, logger: createLogger('silent') }));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16, pipelining: 1, keepAliveTimeout: 60_000 });
    const ask = async (checks: unknown[]) => {
      const res = await pool.request({ method: 'POST', path: '/api/v1/decisions', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ checks }) });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`decisions answered ${res.statusCode}: ${text.slice(0, 200)}`);
      return JSON.parse(text) as { results: { decision: string }[] };
    };
    let n = 0;
    const check = () => {
      const i = n++;
      const principal = { type: 'person', memberId: members[(i * 7919) % MEMBERS]! };
      const project = projects[(i * 104729) % PROJECTS]!;
      const permission = PERMISSIONS[i % PERMISSIONS.length]!;
      const resource = i % 3 === 0 ? { type: 'object', kind: 'run', project, owner: { memberId: members[(i * 31) % MEMBERS]! } } : { type: 'project', id: project };
      return { principal, permission, resource };
    };

    for (let i = 0; i < 200; i++) await ask([check()]);
    const singles: number[] = [];
    for (let i = 0; i < SINGLES; i++) {
      const t = process.hrtime.bigint();
      await ask([check()]);
      singles.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    singles.sort((a, b) => a - b);
    const rps = await throughput(SINGLES, 16, async () => void (await ask([check()])));
    for (let i = 0; i < 3; i++) await ask(Array.from({ length: 1000 }, check));
    const batches: number[] = [];
    let allows = 0;
    for (let i = 0; i < BATCHES; i++) {
      const t = process.hrtime.bigint();
      const r = await ask(Array.from({ length: 1000 }, check));
      batches.push(Number(process.hrtime.bigint() - t) / 1e6);
      allows += r.results.filter((x) => x.decision === 'allow').length;
    }
    batches.sort((a, b) => a - b);
    const total = batches.reduce((a, b) => a + b, 0);
    await pool.close();
    server.close();

    log(`\nRun ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}; load average ${loadavg()[0]!.toFixed(1)}`);
    log('| measurement | value |');
    log('|---|---|');
    log(`| one check per request, sequential, p50 | ${percentile(singles, 50).toFixed(2)} ms |`);
    log(`| one check per request, sequential, p99 | ${percentile(singles, 99).toFixed(2)} ms |`);
    log(`| one check per request, 16 clients | ${rps.toFixed(0)} requests/s |`);
    log(`| batch of 1,000 checks, p50 | ${percentile(batches, 50).toFixed(1)} ms |`);
    log(`| batch of 1,000 checks, p99 | ${percentile(batches, 99).toFixed(1)} ms |`);
    log(`| checks per second in batches of 1,000 | ${((BATCHES * 1000) / (total / 1000)).toFixed(0)} |`);
    log(`| allows among the batched checks | ${((100 * allows) / (BATCHES * 1000)).toFixed(1)} % |`);
  } finally {
    await db.destroy();
    await admin.raw(`drop schema ${schema} cascade`);
    await admin.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
