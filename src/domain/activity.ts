import type { Db } from '../db/connect.ts';

/**
 * Records that a person was active in an organization today: last active time, and one
 * activity day per calendar day (UTC), which is what "days active" and the "users active
 * over time" chart count. Not audited: activity is not a directory change.
 */
export async function recordActivity(db: Db, orgId: string, userId: string, at: Date = new Date()): Promise<void> {
  const day = at.toISOString().slice(0, 10);
  await db.transaction(async (trx) => {
    const inserted = await trx('activity_days')
      .insert({ org_id: orgId, user_id: userId, day })
      .onConflict(['org_id', 'day', 'user_id'])
      .ignore()
      .returning('day');
    await trx('memberships')
      .where({ org_id: orgId, user_id: userId })
      .update({
        last_active_at: trx.raw('greatest(coalesce(last_active_at, ?::timestamptz), ?::timestamptz)', [at.toISOString(), at.toISOString()]),
        days_active: inserted.length ? trx.raw('days_active + 1') : trx.raw('days_active'),
      });
  });
}

export type ActivityPeriod = 'day' | 'month' | 'all';

/** Distinct active users per bucket: per day (last 30 days), per month (last 12), or per year. */
export async function activeUsersOverTime(db: Db, orgId: string, period: ActivityPeriod, now: Date = new Date()): Promise<{ bucket: string; users: number }[]> {
  const unit = period === 'day' ? 'day' : period === 'month' ? 'month' : 'year';
  const since = new Date(now);
  if (period === 'day') since.setUTCDate(since.getUTCDate() - 29);
  else if (period === 'month') since.setUTCMonth(since.getUTCMonth() - 11, 1);
  else since.setUTCFullYear(1970);
  const rows = await db('activity_days')
    .where({ org_id: orgId })
    .where('day', '>=', since.toISOString().slice(0, 10))
    .select(db.raw(`to_char(date_trunc('${unit}', day::timestamp), 'YYYY-MM-DD') as bucket`), db.raw('count(distinct user_id)::int as users'))
    .groupByRaw('1')
    .orderBy('bucket');
  return rows as { bucket: string; users: number }[];
}
