import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Db } from '../../db/connect.ts';
import { sql } from '../../db/sql.ts';

// express-rate-limit's Store for request limits shared by every instance (SPEC §7: several
// stateless instances share one PostgreSQL), counted in the login_throttle table the LDAP
// throttle uses (one row per key and window; maintenance deletes rows whose window passed).
//
// Fixed windows aligned on the epoch (window n covers [n·w, (n+1)·w)), so every instance
// names the same row for a key without asking the database.
//
// Two modes:
//  - syncMs = 0, exact: each hit is one upsert, awaited before the request goes on.
//  - syncMs > 0, batched (the default): a hit is counted in memory and answered at once
//    from what this instance knows — the shared total at its last flush plus its own hits
//    since. Every syncMs, one statement adds all pending hits of all keys and reads back the
//    shared totals. No request waits on PostgreSQL; the price is that an instance learns of
//    the other instances' hits up to syncMs late, so n instances may together let through
//    up to (n − 1) × syncMs worth of one client's requests over the limit.

interface Entry {
  window: number;
  /** The key's shared total (all instances) as of this instance's last flush. */
  shared: number;
  /** This instance's hits not yet flushed. */
  pending: number;
}

export interface SharedWindowStoreOptions {
  syncMs: number;
  /** A failed flush: its hits are kept and retried with the next one. */
  onError: (err: unknown) => void;
  /** The clock (tests fix it); Date.now by default. */
  now?: () => number;
}

const UPSERT = `insert into login_throttle as t (key, hits, reset_at)
  select * from unnest($1::text[], $2::int[], $3::timestamptz[])
  on conflict (key) do update set hits = t.hits + excluded.hits
  returning key, hits`;

export class SharedWindowStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    readonly prefix: string,
    private readonly options: SharedWindowStoreOptions,
  ) {}

  private clock(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private rowKey(key: string, window: number): string {
    return `${this.prefix}${key}:${window}`;
  }

  private resetTime(window: number): Date {
    return new Date((window + 1) * this.windowMs);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const window = Math.floor(this.clock() / this.windowMs);
    const e = this.entries.get(key);
    if (e && e.window === window) return { totalHits: e.shared + e.pending, resetTime: this.resetTime(window) };
    return undefined;
  }

  increment(key: string): Promise<ClientRateLimitInfo> | ClientRateLimitInfo {
    const window = Math.floor(this.clock() / this.windowMs);
    if (this.options.syncMs === 0) return this.incrementNow(key, window);
    let e = this.entries.get(key);
    if (!e || e.window !== window) {
      // A new window: hits of a past one still pending are flushed under their own row.
      if (e && e.pending > 0) this.entries.set(`${key}\u0000${e.window}`, e);
      e = { window, shared: 0, pending: 0 };
      this.entries.set(key, e);
    }
    e.pending++;
    this.schedule();
    return { totalHits: e.shared + e.pending, resetTime: this.resetTime(window) };
  }

  private async incrementNow(key: string, window: number): Promise<ClientRateLimitInfo> {
    const [row] = await sql<{ hits: number }>(this.db, UPSERT, [[this.rowKey(key, window)], [1], [this.resetTime(window)]]);
    return { totalHits: row!.hits, resetTime: this.resetTime(window) };
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.options.syncMs).unref();
  }

  /** Adds every pending hit to the shared counts and reads the totals back (one statement). */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = null;
      // Hits that arrived during the statement (or a failed one's) go with the next flush.
      for (const e of this.entries.values()) if (e.pending > 0) return this.schedule();
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const now = Math.floor(this.clock() / this.windowMs);
    const sent: [string, Entry, number][] = [];
    for (const [mapKey, e] of this.entries) {
      if (e.pending > 0) sent.push([mapKey, e, e.pending]);
      else if (e.window < now) this.entries.delete(mapKey); // a past window, nothing left to say
    }
    if (!sent.length) return;
    for (const [, e, n] of sent) e.pending -= n; // hits arriving during the statement stay pending
    try {
      const rows = await sql<{ key: string; hits: number }>(this.db, UPSERT, [
        sent.map(([mapKey, e]) => this.rowKey(mapKey.split('\u0000')[0]!, e.window)),
        sent.map(([, , n]) => n),
        sent.map(([, e]) => this.resetTime(e.window)),
      ]);
      const totals = new Map(rows.map((r) => [r.key, r.hits]));
      for (const [mapKey, e] of sent) {
        const total = totals.get(this.rowKey(mapKey.split('\u0000')[0]!, e.window));
        if (total !== undefined) e.shared = Math.max(e.shared, total);
        if (mapKey.includes('\u0000')) this.entries.delete(mapKey);
      }
    } catch (err: unknown) {
      for (const [, e, n] of sent) e.pending += n;
      this.options.onError(err);
    }
  }

  async decrement(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (e && e.pending > 0) e.pending--;
  }

  async resetKey(key: string): Promise<void> {
    this.entries.delete(key);
    await this.db('login_throttle').where('key', 'like', `${this.prefix}${key}:%`).delete();
  }

  /** Flushes what is pending and stops the timer (shutdown, tests). */
  async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
