import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import type { Db } from '../../db/connect.ts';
import type { Logger } from '../../lib/logger.ts';
import { SharedWindowStore } from './shared-window-store.ts';

// Request limits on the SCIM and admin API doors (issue 14 item 11): per credential (the
// bearer token, API key or session cookie presented, authenticated or not) and per client
// address, in fixed windows counted in PostgreSQL (shared-window-store.ts). They run
// before authentication, so a flood of requests with made-up tokens costs no token lookup.
// Over a limit: 429 with Retry-After (RFC 6585 §4; Entra ID and Okta back off on it), and
// the door's own error body. A limit of 0 turns that limit off.

export interface DoorLimits {
  perToken: number;
  perAddress: number;
}

export interface RateLimitSettings {
  windowSeconds: number;
  syncMs: number;
}

export interface RequestLimits {
  middleware: RequestHandler[];
  stores: SharedWindowStore[];
}

const BEARER = /^Bearer +(\S+)/i;
const SESSION = /(?:^|;\s*)orgbridge\.sid=([^;]+)/;

const CREDENTIAL = Symbol('rate-limit credential');

/** The credential a request presents (never kept: a digest), or undefined; computed once per request. */
function credentialOf(req: Request): string | undefined {
  const r = req as Request & { [CREDENTIAL]?: string | null };
  if (r[CREDENTIAL] === undefined) {
    const secret = BEARER.exec(req.headers.authorization ?? '')?.[1] ?? SESSION.exec(req.headers.cookie ?? '')?.[1];
    r[CREDENTIAL] = secret === undefined ? null : createHash('sha256').update(secret).digest('base64url').slice(0, 32);
  }
  return r[CREDENTIAL] ?? undefined;
}

/** The client address, IPv6 grouped by /56, as express-rate-limit advises (TRUST_PROXY decides req.ip). */
const addressOf = (req: Request): string => ipKeyGenerator(req.ip ?? 'unknown');

export function requestLimits(
  db: Db,
  logger: Logger,
  door: 'scim' | 'api' | 'decisions',
  limits: DoorLimits,
  settings: RateLimitSettings,
  refuse: (retryAfterSeconds: number, which: 'token' | 'address') => unknown,
  now: () => Date = () => new Date(),
): RequestLimits {
  const windowMs = settings.windowSeconds * 1000;
  const onError = (err: unknown) => logger.error({ err, door }, 'rate limit counts could not be saved; they are kept and retried');
  const stores: SharedWindowStore[] = [];
  const middleware: RequestHandler[] = [];
  const make = (which: 'token' | 'address', limit: number, key: (req: Request) => string | undefined) => {
    if (limit === 0) return;
    const store = new SharedWindowStore(db, `rl:${door}:${which}:`, { syncMs: settings.syncMs, onError, now: () => now().getTime() });
    stores.push(store);
    const options: Partial<Options> = {
      windowMs,
      limit,
      store,
      standardHeaders: false,
      legacyHeaders: false,
      // A database outage must not stop provisioning: without its counts the door stays open
      // (the error is logged). Contrast the LDAP throttle, which guards passwords.
      passOnStoreError: true,
      keyGenerator: (req) => key(req)!,
      skip: (req) => key(req) === undefined,
      // express-rate-limit's validations are configuration checks for development (double
      // counting, proxy headers); ours are in test/http/rate-limits.test.ts. Off on the hot path.
      validate: false,
      handler: (req, res, next) => {
        const at = now().getTime();
        const resetAt = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime?.getTime() ?? at + windowMs;
        const seconds = Math.max(1, Math.ceil((resetAt - at) / 1000));
        res.set('Retry-After', String(seconds));
        next(refuse(seconds, which));
      },
    };
    middleware.push(rateLimit(options));
  };
  make('address', limits.perAddress, addressOf);
  make('token', limits.perToken, credentialOf);
  if (!middleware.length) middleware.push((_req, _res, next) => next()); // both limits off
  return { middleware, stores };
}
