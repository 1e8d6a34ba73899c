import type { Db } from './db/connect.ts';
import { runInTransaction, systemActor } from './domain/context.ts';
import { checkPendingDomains, expirePendingDomains } from './domain/domain-verification.ts';
import { expireInvitations } from './domain/invitations.ts';
import { pruneLoginThrottle } from './sso/ldap/throttle.ts';
import type { Logger } from './lib/logger.ts';
import type { TxtResolver } from './lib/txt-resolver.ts';

// Periodic housekeeping, safe to run on every instance at once: each step is one
// idempotent statement or transaction.
//  - expired sessions are deleted (the store also ignores them on read);
//  - pending memberships whose invitations all expired are dropped, freeing their seats;
//  - failed-sign-in counters whose window has passed are deleted;
//  - pending domain claims past their expiry are deleted, and the TXT records of the
//    others are looked up (when a resolver is given), verifying those that have theirs.

export interface MaintenanceResult {
  sessions: number;
  invitations: number;
  loginThrottle: number;
  domainsExpired: number;
  domainsVerified: number;
}

export interface MaintenanceOptions {
  /** Looks up pending claims' TXT records; without it no claim is verified by maintenance. */
  resolver?: TxtResolver;
}

export async function runMaintenance(db: Db, now = new Date(), opts: MaintenanceOptions = {}): Promise<MaintenanceResult> {
  const sessions = (await db('sessions').where('expires_at', '<=', now).delete().returning('sid')).length;
  const invitations = await runInTransaction(db, systemActor, (tx) => expireInvitations(tx, now));
  const loginThrottle = await pruneLoginThrottle(db, now);
  const domainsExpired = await runInTransaction(db, systemActor, (tx) => expirePendingDomains(tx, now));
  const domainsVerified = opts.resolver ? await checkPendingDomains(db, opts.resolver, now) : 0;
  return { sessions, invitations, loginThrottle, domainsExpired, domainsVerified };
}

export function scheduleMaintenance(db: Db, logger: Logger, opts: MaintenanceOptions & { everyMs?: number } = {}): () => void {
  const { everyMs = 10 * 60_000, ...rest } = opts;
  let running = false;
  const tick = () => {
    // DNS lookups can make a run long; the next tick skips rather than piling up.
    if (running) return;
    running = true;
    runMaintenance(db, new Date(), rest)
      .then((r) => {
        if (Object.values(r).some((n) => n > 0)) logger.info(r, 'maintenance');
      })
      .catch((err: unknown) => logger.error({ err }, 'maintenance failed'))
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
