import { timingSafeEqual, randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../domain/context.ts';
import { authenticateApiKey } from '../domain/service-accounts.ts';
import type { ProviderTrust } from '../domain/provisioning/provider-trust.ts';
import type { AppDeps } from '../http/deps.ts';
import { sessionTrust } from '../sso/trust.ts';
// The one seam to SSO sign-in: its session middleware (same cookie, secret and store as
// the sign-in routes) and its current-user accessor.
import { currentAccount, sessionMiddleware } from '../sso/index.ts';
import { badRequest, csrfRefused, forbidden, unauthenticated } from './errors.ts';

declare module 'express-session' {
  interface SessionData {
    /** Synchronizer token for cookie-authenticated writes to the admin API. */
    csrfToken?: string;
  }
}

/**
 * Who is calling the admin API, and how they proved it. `accountId` is the account (who
 * signs in); a person's API key belongs to their member record in one organization and
 * acts as the account linked to it, there only.
 */
export type Caller =
  | { kind: 'session'; accountId: string; trust: ProviderTrust | null; actor: Actor }
  | { kind: 'user_key'; accountId: string; recordId: string; keyOrgId: string | null; actor: Actor }
  | { kind: 'admin_key'; keyId: string; keyOrgId: string; actor: Actor };

export function callerOf(res: Response): Caller {
  const c = res.locals.caller as Caller | undefined;
  if (!c) throw new Error('authenticate() did not run before this handler');
  return c;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** The session's CSRF token, created on first use (GET /api/v1/me hands it to the dashboard). */
export function csrfTokenOf(req: Request): string {
  req.session.csrfToken ??= randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

async function accountLabel(deps: AppDeps, accountId: string): Promise<string | null> {
  const a = await deps.db('accounts').where({ id: accountId }).first<{ email: string | null } | undefined>('email');
  return a ? (a.email ?? accountId) : null;
}

async function fromBearer(deps: AppDeps, header: string): Promise<Caller> {
  // Malformed header: 400. Well-formed but unknown, revoked, expired, deactivated, or an
  // admin key whose creator lost their admin power: 401.
  const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
  if (!m) throw badRequest('Authorization header must be "Bearer <api key>"');
  const key = await authenticateApiKey(deps.db, m[1]!, deps.now?.() ?? new Date());
  if (!key) throw unauthenticated('unknown or revoked API key');
  const actorId = key.keyId;
  if (key.kind === 'admin' && key.orgId) {
    return { kind: 'admin_key', keyId: key.keyId, keyOrgId: key.orgId, actor: { type: 'api_key', id: actorId, label: `admin API key ${key.keyId.slice(0, 8)}` } };
  }
  if (key.kind === 'user' && key.userId) {
    const record = await deps.db('users').where({ id: key.userId }).first<{ account_id: string | null } | undefined>('account_id');
    const label = record?.account_id ? await accountLabel(deps, record.account_id) : null;
    if (!record?.account_id || !label) throw unauthenticated('unknown or revoked API key');
    return { kind: 'user_key', accountId: record.account_id, recordId: key.userId, keyOrgId: key.orgId, actor: { type: 'user', id: record.account_id, label } };
  }
  throw forbidden('service account keys cannot use the admin API');
}

/**
 * Authenticates every admin API request: an API key (Authorization: Bearer obkey_…),
 * else the sign-in session cookie. Cookie-authenticated writes must also carry the
 * session's CSRF token in X-CSRF-Token (a synchronizer token kept server-side in the
 * session); API-key requests need none, since no browser attaches a bearer token by itself.
 */
export function authenticate(deps: AppDeps): RequestHandler[] {
  const session = sessionMiddleware(deps);
  const bearer: RequestHandler = (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    fromBearer(deps, header).then((caller) => {
      res.locals.caller = caller;
      next();
    }, next);
  };
  const cookie: RequestHandler = (req, res, next) => {
    if (res.locals.caller) return next();
    session(req, res, (err?: unknown) => {
      if (err) return next(err);
      const who = currentAccount(req);
      if (!who) return next(unauthenticated());
      accountLabel(deps, who.accountId).then((label) => {
        if (!label) return next(unauthenticated());
        if (!SAFE.has(req.method) && !sameToken(req.get('x-csrf-token'), req.session.csrfToken)) return next(csrfRefused());
        const trust = sessionTrust(deps.config, who.source);
        res.locals.caller = { kind: 'session', accountId: who.accountId, trust, actor: { type: 'user', id: who.accountId, label } } satisfies Caller;
        next();
      }, next);
    });
  };
  return [bearer, cookie];
}
