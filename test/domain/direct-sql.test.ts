import { describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql.ts';
import { useTestDb } from '../support/db.ts';

// db/sql.ts runs the create path's fixed statements on the driver connection directly.
// What it must keep from knex: the transaction's connection inside a transaction (so a
// rollback takes its rows with it), the pool's connection returned after use (also after
// an error), and the driver's error code for the domain's uniqueness mapping.

const t = useTestDb(1);

describe('sql() on the driver connection', () => {
  it('runs inside the transaction it is given: a rollback removes what it wrote', async () => {
    const slug = `direct-${Date.now()}`;
    await expect(
      t.db.transaction(async (trx) => {
        await sql(trx, 'insert into organizations (id, name, slug) values (gen_random_uuid(), $1, $2)', ['Direct', slug]);
        const [seen] = await sql<{ n: number }>(trx, 'select count(*)::int as n from organizations where slug = $1', [slug]);
        expect(seen!.n).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await t.db('organizations').where({ slug }).first()).toBeUndefined();
  });

  it('returns a borrowed pool connection after a failed statement (pool of one)', async () => {
    await expect(sql(t.db, 'select * from no_such_table', [])).rejects.toMatchObject({ code: '42P01' });
    // with a pool of one, this would wait for the acquire timeout if the first had kept it
    const [row] = await sql<{ v: number }>(t.db, 'select $1::int as v', [7]);
    expect(row!.v).toBe(7);
  });

  it('passes the driver error through with its SQLSTATE and constraint', async () => {
    const slug = `dup-${Date.now()}`;
    await sql(t.db, 'insert into organizations (id, name, slug) values (gen_random_uuid(), $1, $2)', ['Dup A', slug]);
    const err = await sql(t.db, 'insert into organizations (id, name, slug) values (gen_random_uuid(), $1, $2)', ['Dup B', slug]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505' });
  });
});
