import session from 'express-session';
import type { Db } from '../../db/connect.ts';

// express-session's store over the `sessions` table, so every instance sharing the
// database shares the sessions. The signed-in account's id is kept in its own column
// (`account_id`) so that all of an account's sessions can be ended in one statement
// (domain/sessions.ts endSessionsOfAccount).
//
// Lifetime (SPEC §5; issue 14), measured on the store's clock, never the cookie's:
//   - idle timeout: a session with no request for `idleMs` ends. Each request moves
//     `expires_at` to now + idleMs (touch or save)…
//   - absolute lifetime: …but never past `signedInAt + ttlMs`, however busy the session.
// A signed-in session without a readable `signedInAt` is not honoured.

export interface SessionData {
  accountId?: string;
  signedInAt?: string;
  [key: string]: unknown;
}

type Callback<T = void> = (err?: unknown, value?: T) => void;

// Sessions that sign-in has just made (establishSession), by object identity. Only these
// are ever inserted with an account; every other save of a signed-in session updates the
// row if it is still there, so a request in flight when the session was deleted (sign-out,
// deactivation, "end all sessions") cannot write it back — with no timing window.
const established = new WeakSet<object>();

/** Marks the session that a sign-in has just made: its next save may insert the row. */
export function markSignedIn(sess: object): void {
  established.add(sess);
}

export class KnexSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly now: () => Date = () => new Date(),
    private readonly idleMs: number = ttlMs,
  ) {
    super();
  }

  /** When the session ends if no request comes: now + idle, capped at the absolute lifetime. */
  private expiry(sess: SessionData): Date {
    const now = this.now().getTime();
    if (typeof sess.accountId !== 'string') return new Date(now + Math.min(this.idleMs, this.ttlMs));
    const signedInAt = typeof sess.signedInAt === 'string' ? Date.parse(sess.signedInAt) : NaN;
    if (Number.isNaN(signedInAt)) return new Date(now);
    return new Date(Math.min(now + this.idleMs, signedInAt + this.ttlMs));
  }

  /** Past its absolute lifetime, or a signed-in session that says not when it began. */
  private overLifetime(sess: SessionData): boolean {
    if (typeof sess.accountId !== 'string') return false;
    const signedInAt = typeof sess.signedInAt === 'string' ? Date.parse(sess.signedInAt) : NaN;
    return Number.isNaN(signedInAt) || this.now().getTime() >= signedInAt + this.ttlMs;
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    this.db('sessions')
      .where({ sid })
      .first('data', 'expires_at')
      .then(async (row: { data: session.SessionData & SessionData; expires_at: Date } | undefined) => {
        if (!row) return cb(null, null);
        if (new Date(row.expires_at).getTime() <= this.now().getTime() || this.overLifetime(row.data)) {
          await this.db('sessions').where({ sid }).delete();
          return cb(null, null);
        }
        return cb(null, row.data);
      })
      .catch((err: unknown) => cb(err));
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    const data = sess as session.SessionData & SessionData;
    const accountId = typeof data.accountId === 'string' ? data.accountId : null;
    const row = { sid, account_id: accountId, data: JSON.stringify(sess), expires_at: this.expiry(data) };
    const write =
      accountId && !established.has(sess)
        ? this.db('sessions').where({ sid }).update({ data: row.data, expires_at: row.expires_at })
        : this.db('sessions').insert(row).onConflict('sid').merge(['account_id', 'data', 'expires_at']);
    write.then(() => cb?.()).catch((err: unknown) => cb?.(err));
  }

  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    // An update, never an insert; and a session that ended meanwhile is not extended.
    this.db('sessions')
      .where({ sid })
      .where('expires_at', '>', this.now())
      .update({ expires_at: this.expiry(sess as session.SessionData & SessionData) })
      .then(() => cb?.())
      .catch((err: unknown) => cb?.(err));
  }

  override destroy(sid: string, cb?: Callback): void {
    this.db('sessions')
      .where({ sid })
      .delete()
      .then(() => cb?.())
      .catch((err: unknown) => cb?.(err));
  }

  /** Deletes expired rows; returns how many. For a periodic job (not run per request). */
  async prune(): Promise<number> {
    // returning(): the row count that both pg and PGlite report the same way.
    const rows = await this.db('sessions').where('expires_at', '<=', this.now()).delete().returning('sid');
    return rows.length;
  }
}
