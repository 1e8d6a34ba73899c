import type { Knex } from 'knex';
import type { Db } from '../db/connect.ts';
import { writeAuditRow } from './audit.ts';
import { DomainError } from './errors.ts';

/** Who is acting. Every audit row names one. */
export interface Actor {
  type: 'user' | 'scim' | 'sso' | 'cli' | 'system' | 'api_key' | 'platform';
  id: string | null;
  label: string;
}

/** A command's context: one transaction and the actor. Passed explicitly, never stored. */
export interface Tx {
  trx: Knex.Transaction;
  actor: Actor;
}

export const systemActor: Actor = { type: 'system', id: null, label: 'orgbridge' };

// 40001 serialization_failure, 40P01 deadlock_detected: the transaction did nothing
// durable and may simply run again.
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 4;

/**
 * Runs a directory mutation in one transaction. A DomainError carrying a refusal (the
 * last-admin guard, the seat license) rolls the work back and is then recorded in the
 * audit log as refused, in its own transaction, before it is rethrown.
 */
export async function runInTransaction<T>(db: Db, actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((trx) => fn({ trx, actor }));
    } catch (err: unknown) {
      const code = (err as { code?: string }).code;
      if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
        continue;
      }
      if (err instanceof DomainError && err.refusal) {
        await writeAuditRow(db, actor, {
          ...err.refusal,
          outcome: 'refused',
          reason: err.message,
          rule: err.code,
        });
      }
      throw err;
    }
  }
}
