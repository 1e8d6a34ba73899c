import { spawnSync } from 'node:child_process';

// npm run bench [-- options]: the directory benchmarks (bench/run.ts: SCIM over HTTP against
// the bare-SQL floor, written to BENCHMARKS.md), then the change-event benchmarks
// (bench/events.ts, issue 16: POST /Users with the outbox beside the build without it,
// events delivered per second to a loopback receiver, end-to-end lag p50/p99). Options go
// to both; each reads its own (--users, --workers … ; --rounds, --backlog, --live …).
// --skip-events runs the first alone. The decision API has its own: npm run bench:decisions.

const args = process.argv.slice(2);
const parts = ['bench/run.ts', ...(args.includes('--skip-events') ? [] : ['bench/events.ts'])];
for (const script of parts) {
  process.stdout.write(`\n=== ${script} ===\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args.filter((a) => a !== '--skip-events')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
