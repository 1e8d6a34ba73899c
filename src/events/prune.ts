import type { Db } from '../db/connect.ts';
import { sql } from '../db/sql.ts';

// Retention of the outbox (WEBHOOK_RETENTION_DAYS). An event is pruned once it is older
// than the retention, has been fanned out, and none of its deliveries is still pending:
// its deliveries and their attempt log go with it (foreign keys cascade). A delivery still
// retrying keeps its event however old. The audit log is the record of what happened and
// is never pruned here; the audit export reads it, not events.
//
// In batches, so one pass never holds many row locks; SKIP LOCKED, so instances pruning at
// once (every worker may) and a fan-out in progress do not wait on each other.

const PRUNE = `with old as (
    select ev.id from events ev
     where ev.fanned_out_at is not null
       and ev.at < now() - make_interval(days => $1::int)
       and not exists (select 1 from webhook_deliveries d where d.event_id = ev.id and d.status = 'pending')
     order by ev.id
     limit $2
     for update of ev skip locked
  )
  delete from events where id in (select id from old) returning id`;

/** Deletes up to `limit` prunable events (with their deliveries and log); returns how many. */
export async function pruneEvents(db: Db, retentionDays: number, limit = 1000): Promise<number> {
  return (await sql(db, PRUNE, [retentionDays, limit])).length;
}
