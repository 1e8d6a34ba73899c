import { Pool } from 'undici';

// The load generator's HTTP client: undici's Pool over keep-alive connections. It runs on
// the same two cores as the server and PostgreSQL, so its own CPU per request is taken
// from the system under test; undici spends about half of what node:http's client does
// (BENCHMARKS.md records the load generator's CPU per create).

export interface Reply {
  status: number;
  body: string;
}

export function client(port: number, token: string, connections = 16) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const auth = `Bearer ${token}`;
  return async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await pool.request({
      method: method as 'GET',
      path,
      headers: payload === undefined ? { authorization: auth, accept: 'application/scim+json' } : { authorization: auth, accept: 'application/scim+json', 'content-type': 'application/scim+json' },
      body: payload,
    });
    return { status: res.statusCode, body: await res.body.text() };
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs `fn` n times one after another; returns sorted latencies in ms. */
export async function timeEach(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

/** Runs `total` calls over `concurrency` workers; returns calls per second. */
export async function throughput(total: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await fn(i);
    }),
  );
  return total / (Number(process.hrtime.bigint() - t) / 1e9);
}

/** `--name value` from the command line, else `dflt` (the benchmarks' options). */
export function option(name: string, dflt: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
}

/** The PostgreSQL server benchmarks make their schemas in. */
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
