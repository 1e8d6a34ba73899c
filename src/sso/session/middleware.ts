import { UNKNOWN_SOURCE } from '../trust.ts';
import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import { ConfigError } from '../../config/env.ts';
import type { AppDeps } from '../../http/deps.ts';
import { KnexSessionStore, markSignedIn } from './store.ts';

export const SESSION_COOKIE = 'orgbridge.sid';

export type AuthMethod = 'oidc' | 'ldap' | 'break_glass' | 'setup';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in account. */
    accountId?: string;
    authMethod?: AuthMethod;
    provider?: string;
    /** 'oidc:<name>' or 'ldap': the provider whose trust bounds what the session reaches (src/sso/trust.ts). */
    source?: string;
    /** The external identity the provider signed in (external_identities' key): unlinking it ends the session (domain/sessions.ts). */
    identity?: { provider: string; externalId: string };
    /** OIDC sign-ins through a provider with logout on: its name and the ID token, for RP-Initiated Logout. */
    oidcProvider?: string;
    idToken?: string;
    signedInAt?: string;
    returnTo?: string;
  }
}

// One middleware (and so one secret and one store) per AppDeps: the SSO router and the
// admin API must read the same cookie.
const made = new WeakMap<AppDeps, RequestHandler>();

function secretOf(deps: AppDeps): string {
  if (deps.config.sessionSecret) return deps.config.sessionSecret;
  if (process.env.NODE_ENV === 'production') {
    throw new ConfigError('SESSION_SECRET (sessionSecret) is required when NODE_ENV=production');
  }
  deps.logger.warn(
    'SESSION_SECRET is not set: using a random secret; sessions end when this process restarts and are not shared with other instances',
  );
  return randomBytes(32).toString('base64url');
}

/**
 * express-session over the `sessions` table. Cookie: HttpOnly, SameSite=Lax, Secure
 * whenever PUBLIC_URL is https, lifetime SESSION_TTL_HOURS. The store ends a session
 * after SESSION_IDLE_MINUTES without a request, and SESSION_TTL_HOURS after sign-in.
 */
export function sessionMiddleware(deps: AppDeps): RequestHandler {
  const existing = made.get(deps);
  if (existing) return existing;
  const ttlMs = deps.config.sessionTtlHours * 3600_000;
  const idleMs = deps.config.sessionIdleMinutes * 60_000;
  const handler = session({
    name: SESSION_COOKIE,
    secret: secretOf(deps),
    store: new KnexSessionStore(deps.db, ttlMs, deps.now, idleMs),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: new URL(deps.config.publicUrl).protocol === 'https:',
      path: '/',
      maxAge: ttlMs,
    },
  });
  made.set(deps, handler);
  return handler;
}


/** The signed-in account and the provider it signed in through, or null. Needs sessionMiddleware to have run on the request. */
export function currentAccount(req: Request): { accountId: string; source: string | null } | null {
  const accountId = req.session?.accountId;
  // A provider sign-in always records its source (establishSession). One without it was
  // made before sources existed: it is trusted for nothing rather than for everything
  // (null is the trust of break-glass and setup sessions only).
  const method = req.session?.authMethod;
  const source = typeof req.session?.source === 'string' ? req.session.source : method === 'oidc' || method === 'ldap' ? UNKNOWN_SOURCE : null;
  return typeof accountId === 'string' && accountId ? { accountId, source } : null;
}

const promisify = (fn: (cb: (err?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

/**
 * Starts the signed-in session: a new session id (the pre-sign-in session, which held
 * the OIDC state and returnTo, is destroyed), then the person and how they signed in.
 */
export async function establishSession(
  req: Request,
  who: { accountId: string; method: AuthMethod; provider?: string; source?: string; identity?: { provider: string; externalId: string }; logout?: { oidcProvider: string; idToken: string } },
  now: Date,
): Promise<void> {
  await promisify((cb) => req.session.regenerate(cb));
  req.session.accountId = who.accountId;
  req.session.authMethod = who.method;
  if (who.provider) req.session.provider = who.provider;
  if (who.source) req.session.source = who.source;
  if (who.identity) req.session.identity = { provider: who.identity.provider, externalId: who.identity.externalId };
  if (who.logout) {
    req.session.oidcProvider = who.logout.oidcProvider;
    req.session.idToken = who.logout.idToken;
  }
  req.session.signedInAt = now.toISOString();
  // The one save that may insert a signed-in session (store.ts markSignedIn).
  markSignedIn(req.session);
  await promisify((cb) => req.session.save(cb));
}

export async function endSession(req: Request): Promise<void> {
  if (!req.session) return;
  await promisify((cb) => req.session.destroy(cb));
}
