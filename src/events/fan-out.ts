import type { Db } from '../db/connect.ts';
import { sql } from '../db/sql.ts';

// Outbox → deliveries: each event not yet fanned out gets one delivery per enabled
// endpoint of its organization that takes its type, and is marked fanned out, in one
// transaction. One instance at a time (a transaction-scoped advisory lock; the others
// skip this step): fanned out in id order, the deliveries of one subject keep their
// events' order. Events of one subject commit in id order, because each is written after
// its change took the subject's row lock (audit.ts writes last, inside the transaction).

const FANOUT_LOCK = 0x6f_62_65_76; // 'obev'

const FAN_OUT = `with ev as (
    select id, org_id, type, subject from events where fanned_out_at is null order by id limit $1
  ), ins as (
    insert into webhook_deliveries (endpoint_id, event_id, order_key, status)
    select e.id, ev.id, coalesce(ev.subject, ''), 'pending'
      from ev join webhook_endpoints e on e.org_id = ev.org_id and e.enabled and (e.event_types ? ev.type or e.event_types ? '*')
     order by ev.id, e.id
    on conflict (endpoint_id, event_id) do nothing
  )
  update events set fanned_out_at = now() where id in (select id from ev) returning id`;

/** Fans out up to `limit` events; returns how many (0 when another instance holds the step). */
export async function fanOut(db: Db, limit: number): Promise<number> {
  return db.transaction(async (trx) => {
    // Keyed by schema too: advisory locks are database-wide, and deployments (or test files)
    // in other schemas of the same database have their own events to fan out.
    const [lock] = await sql<{ ok: boolean }>(trx, 'select pg_try_advisory_xact_lock($1, hashtext(current_schema())) as ok', [FANOUT_LOCK]);
    if (!lock?.ok) return 0;
    return (await sql(trx, FAN_OUT, [limit])).length;
  });
}
