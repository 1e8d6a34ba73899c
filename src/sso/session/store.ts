import session from 'express-session';
import type { Db } from '../../db/connect.ts';

// express-session's store over the `sessions` table, so every instance sharing the
// database shares the sessions. The signed-in account's id is kept in its own column
// (`account_id`) so that all of an account's sessions can be ended in one statement
// (domain/sessions.ts endSessionsOfAccount).

export interface SessionData {
  accountId?: string;
  [key: string]: unknown;
}

/** How long after sign-in a signed-in session may still be inserted (see set). */
const FRESH_MS = 30_000;

type Callback<T = void> = (err?: unknown, value?: T) => void;

function expiry(sess: session.SessionData, now: Date, fallbackMs: number): Date {
  const expires = sess.cookie?.expires;
  if (expires) return new Date(expires);
  return new Date(now.getTime() + (sess.cookie?.originalMaxAge ?? fallbackMs));
}

export class KnexSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    this.db('sessions')
      .where({ sid })
      .first('data', 'expires_at')
      .then(async (row: { data: session.SessionData; expires_at: Date } | undefined) => {
        if (!row) return cb(null, null);
        if (new Date(row.expires_at).getTime() <= this.now().getTime()) {
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
    const row = { sid, account_id: accountId, data: JSON.stringify(sess), expires_at: expiry(sess, this.now(), this.ttlMs) };
    // A signed-in session is only ever inserted right after sign-in. Later saves update
    // the row if it is still there: a request that was in flight when the person was
    // deactivated (and their sessions deleted) must not bring the session back.
    const signedInAt = typeof data.signedInAt === 'string' ? Date.parse(data.signedInAt) : NaN;
    const justSignedIn = this.now().getTime() - signedInAt < FRESH_MS;
    const write =
      accountId && !justSignedIn
        ? this.db('sessions').where({ sid }).update({ data: row.data, expires_at: row.expires_at })
        : this.db('sessions').insert(row).onConflict('sid').merge(['account_id', 'data', 'expires_at']);
    write.then(() => cb?.()).catch((err: unknown) => cb?.(err));
  }

  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    this.db('sessions')
      .where({ sid })
      .update({ expires_at: expiry(sess, this.now(), this.ttlMs) })
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
