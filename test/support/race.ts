import type { Db } from '../../src/db/connect.ts';
import { runInTransaction, type Tx } from '../../src/domain/context.ts';
import { testActor } from './factories.ts';
import { onPostgres } from './db.ts';

function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return () => {
    arrived += 1;
    if (arrived === n) open();
    return gate;
  };
}

/**
 * Runs two changes in two transactions so that each has started (and done a query) before
 * either changes anything: on PostgreSQL they truly overlap; on PGlite (one connection)
 * they queue, which must give the same answer.
 */
export async function race(db: Db, a: (tx: Tx) => Promise<unknown>, b: (tx: Tx) => Promise<unknown>, actors: [Parameters<typeof runInTransaction>[1], Parameters<typeof runInTransaction>[1]] = [testActor, testActor]) {
  const wait = onPostgres() ? barrier(2) : async () => undefined;
  const run = (f: (tx: Tx) => Promise<unknown>, actor: Parameters<typeof runInTransaction>[1]) =>
    runInTransaction(db, actor, async (tx) => {
      await tx.trx.raw('select 1');
      await wait();
      return f(tx);
    });
  return Promise.allSettled([run(a, actors[0]), run(b, actors[1])]);
}
