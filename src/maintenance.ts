import type { Db } from './db/connect.ts';
import { runInTransaction, systemActor } from './domain/context.ts';
import { expireInvitations } from './domain/invitations.ts';
import { pruneLoginThrottle } from './sso/ldap/throttle.ts';
import type { Logger } from './lib/logger.ts';

// Periodic housekeeping, safe to run on every instance at once: each step is one
// idempotent statement or transaction.
//  - expired sessions are deleted (the store also ignores them on read);
//  - pending memberships whose invitations all expired are dropped, freeing their seats;
//  - failed-sign-in counters whose window has passed are deleted.

export async function runMaintenance(db: Db, now = new Date()): Promise<{ sessions: number; invitations: number; loginThrottle: number }> {
  const sessions = (await db('sessions').where('expires_at', '<=', now).delete().returning('sid')).length;
  const invitations = await runInTransaction(db, systemActor, (tx) => expireInvitations(tx, now));
  const loginThrottle = await pruneLoginThrottle(db, now);
  return { sessions, invitations, loginThrottle };
}

export function scheduleMaintenance(db: Db, logger: Logger, everyMs = 10 * 60_000): () => void {
  const tick = () => {
    runMaintenance(db)
      .then((r) => {
        if (r.sessions || r.invitations || r.loginThrottle) logger.info(r, 'maintenance');
      })
      .catch((err: unknown) => logger.error({ err }, 'maintenance failed'));
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
