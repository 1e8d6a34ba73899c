import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import type { Db } from '../../db/connect.ts';
import { tooManyAttempts } from '../errors.ts';

// Password guessing on the LDAP form. The directory may lock accounts itself (Active
// Directory's lockout policy), but orgbridge is the door that forwards the guesses, so it
// counts failed sign-ins and refuses with 429 before any bind once a key is over its
// limit. Two keys, both fixed windows (LDAP_LOGIN_WINDOW_MINUTES):
//  - username + client address (LDAP_LOGIN_MAX_FAILURES, default 5): stops guessing at one
//    account without letting anyone lock a colleague out from elsewhere;
//  - client address alone (LDAP_LOGIN_MAX_FAILURES_PER_ADDRESS, default 50): stops one
//    address spraying many usernames.
// express-rate-limit does the counting. Only a refused bind (401, wrong username or
// password) counts: a malformed or forged form (400, 403) never reached the directory, a
// directory outage (503) is nobody's guess, and a refusal by this throttle (429) does not
// extend it. A success clears the account key. The counts live in PostgreSQL
// (login_throttle), shared by every instance.

/** express-rate-limit's Store over the login_throttle table (fixed windows). */
export class PgRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 15 * 60_000;

  constructor(
    private readonly db: Db,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = (await this.db.raw('select hits, reset_at from login_throttle where key = ? and reset_at > now()', [this.prefix + key])).rows[0] as
      | { hits: number; reset_at: Date | string }
      | undefined;
    return row ? { totalHits: row.hits, resetTime: new Date(row.reset_at) } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    // One statement, so concurrent failures on several instances all count.
    const row = (
      await this.db.raw(
        `insert into login_throttle as t (key, hits, reset_at) values (?, 1, now() + ? * interval '1 millisecond')
         on conflict (key) do update set
           hits = case when t.reset_at <= now() then 1 else t.hits + 1 end,
           reset_at = case when t.reset_at <= now() then excluded.reset_at else t.reset_at end
         returning hits, reset_at`,
        [this.prefix + key, this.windowMs],
      )
    ).rows[0] as { hits: number; reset_at: Date | string };
    return { totalHits: row.hits, resetTime: new Date(row.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.db.raw('update login_throttle set hits = greatest(hits - 1, 0) where key = ? and reset_at > now()', [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.db.raw('delete from login_throttle where key = ?', [this.prefix + key]);
  }
}

export interface LoginThrottleConfig {
  maxFailures: number;
  maxFailuresPerAddress: number;
  windowMinutes: number;
}

export interface LoginThrottle {
  /** Runs after the form is parsed, before the handler (and so before any bind). */
  middleware: RequestHandler[];
  /** A successful sign-in clears its account key. */
  succeeded(req: Request): Promise<void>;
}

/** The client address, IPv6 grouped by /56 (one subscriber), as express-rate-limit advises. */
const addressOf = (req: Request): string => ipKeyGenerator(req.ip ?? 'unknown');

/**
 * The account part of a key: a digest of the username as the directory compares it
 * (case-insensitively). Never the name itself: people type passwords into the username
 * field, and anything may arrive there (NUL included, which a text column refuses).
 */
export function usernameDigest(username: string): string {
  return createHash('sha256').update(username.trim().normalize('NFKC').toLowerCase()).digest('hex').slice(0, 32);
}

const accountOf = (req: Request): string => {
  const raw = (req.body as { username?: unknown } | undefined)?.username;
  return `${usernameDigest(typeof raw === 'string' ? raw : '')}|${addressOf(req)}`;
};

export function ldapLoginThrottle(db: Db, cfg: LoginThrottleConfig): LoginThrottle {
  const windowMs = cfg.windowMinutes * 60_000;
  const common: Partial<Options> = {
    windowMs,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    standardHeaders: false,
    legacyHeaders: false,
    // Without its counts the door stays shut: a store error is a 500, not a free pass.
    passOnStoreError: false,
    handler: (req, res, next) => {
      const resetAt = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime?.getTime() ?? Date.now() + windowMs;
      const seconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
      res.set('Retry-After', String(seconds));
      next(tooManyAttempts(seconds));
    },
  };
  const accounts = new PgRateLimitStore(db, 'ldap:account:');
  const perAddress = rateLimit({ ...common, limit: cfg.maxFailuresPerAddress, keyGenerator: addressOf, store: new PgRateLimitStore(db, 'ldap:address:') });
  const perAccount = rateLimit({ ...common, limit: cfg.maxFailures, keyGenerator: accountOf, store: accounts });
  return { middleware: [perAddress, perAccount], succeeded: (req) => accounts.resetKey(accountOf(req)) };
}

/** Deletes counters whose window has passed (maintenance). */
export async function pruneLoginThrottle(db: Db, now: Date): Promise<number> {
  return (await db('login_throttle').where('reset_at', '<=', now).delete().returning('key')).length;
}
