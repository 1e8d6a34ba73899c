import { describe, expect, it } from 'vitest';
import { PgRateLimitStore } from '../../src/sso/ldap/throttle.ts';
import { onPostgres, useTestDb } from '../support/db.ts';

// The failed-sign-in counter behind the LDAP form's throttle: fixed windows in
// login_throttle, one statement per count so instances sharing the database agree.

const t = useTestDb();

function store(prefix: string, windowMs = 60_000): PgRateLimitStore {
  const s = new PgRateLimitStore(t.db, prefix);
  s.init({ windowMs } as Parameters<PgRateLimitStore['init']>[0]);
  return s;
}

describe('PgRateLimitStore', () => {
  it('counts within a window, uncounts, resets, and keeps prefixes apart', async () => {
    const a = store('test:a:');
    const b = store('test:b:');
    const first = await a.increment('k');
    expect(first.totalHits).toBe(1);
    expect(first.resetTime!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect((await a.increment('k')).totalHits).toBe(2);
    const third = await a.increment('k');
    expect(third.totalHits).toBe(3);
    expect(third.resetTime!.getTime()).toBe(first.resetTime!.getTime()); // a fixed window
    expect((await b.increment('k')).totalHits).toBe(1);
    await a.decrement('k');
    expect(await a.get('k')).toMatchObject({ totalHits: 2 });
    await a.resetKey('k');
    expect(await a.get('k')).toBeUndefined();
    expect(await b.get('k')).toMatchObject({ totalHits: 1 });
  });

  it('starts a new window once the old one has passed', async () => {
    const s = store('test:expiry:');
    await t.db('login_throttle').insert({ key: 'test:expiry:k', hits: 9, reset_at: new Date(Date.now() - 1000) });
    expect(await s.get('k')).toBeUndefined();
    const next = await s.increment('k');
    expect(next.totalHits).toBe(1);
    expect(next.resetTime!.getTime()).toBeGreaterThan(Date.now());
  });

  it.skipIf(!onPostgres())('counts every one of 40 concurrent failures (PostgreSQL, two pools)', async () => {
    const other = t.testDb.openAnother(10);
    const s1 = store('test:race:');
    const s2 = new PgRateLimitStore(other, 'test:race:');
    s2.init({ windowMs: 60_000 } as Parameters<PgRateLimitStore['init']>[0]);
    const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? s1 : s2).increment('k')));
    expect(hits.map((h) => h.totalHits).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await s1.get('k')).toMatchObject({ totalHits: 40 });
  });
});
