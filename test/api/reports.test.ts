import { parseCsvObjects } from './csv.ts';
import { describe, expect, it } from 'vitest';
import { recordActivity } from '../../src/domain/activity.ts';
import { call, useCast, type Cast, type Harness } from './harness.ts';

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('GET /users.csv', () => {
  it('streams name, username, last active, role, email, teams and status with correct quoting', async () => {
    await h.t.db('users').where({ id: c.member.id }).update({ display_name: 'Max "the, Lad" Müller' });
    await h.t.db('users').where({ id: c.viewOnly.id }).update({ display_name: '=HYPERLINK("http://evil")' });
    await recordActivity(h.t.db, c.org.id, c.member.id, new Date('2026-11-20T10:00:00Z'));
    await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'pat@acme.example' });
    const r = await call(h, c.as.admin, 'GET', `${base}/users.csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="${c.org.slug}-users.csv"`);
    expect(r.text).toContain('"Max ""the, Lad"" Müller"');
    const rows = parseCsvObjects(r.text);
    expect(Object.keys(rows[0]!)).toEqual(['Name', 'Username', 'Last active', 'Role', 'Email', 'Teams', 'Status']);
    expect(rows).toHaveLength(6);
    expect(rows.find((x) => x.Username === 'max')).toEqual({
      Name: 'Max "the, Lad" Müller', Username: 'max', 'Last active': '2026-11-20T10:00:00.000Z', Role: 'member', Email: 'max@acme.example', Teams: 'Vision', Status: 'active',
    });
    expect(rows.find((x) => x.Username === 'ada')!.Teams).toBe('Language');
    expect(rows.find((x) => x.Email === 'pat@acme.example')!.Status).toBe('pending');
    // A formula is neutralised, not executed by a spreadsheet.
    expect(rows.find((x) => x.Username === 'vic')!.Name).toBe(`'=HYPERLINK("http://evil")`);
  });

  it('streams an organization larger than one batch', async () => {
    const rows = Array.from({ length: 620 }, (_, i) => ({ id: crypto.randomUUID(), org_id: c.org.id, user_name: `bulk-${String(i).padStart(4, '0')}` }));
    await h.t.db.batchInsert('users', rows, 200);
    await h.t.db.batchInsert('memberships', rows.map((u) => ({ id: crypto.randomUUID(), org_id: c.org.id, user_id: u.id, status: 'active', org_role: 'member', models_seat: 'none' })), 200);
    const r = await call(h, c.as.adminKey, 'GET', `${base}/users.csv`);
    const parsed = parseCsvObjects(r.text);
    expect(parsed).toHaveLength(626);
    expect(new Set(parsed.map((x) => x.Username)).size).toBe(626);
    await h.t.db('memberships').whereIn('user_id', rows.map((u) => u.id)).delete();
  });
});

describe('GET /activity', () => {
  it('counts distinct active users per day, month or year', async () => {
    const now = new Date('2026-11-24T12:00:00Z');
    h.deps.now = () => now;
    // Start from no activity; read with the API key, whose requests are no one's activity.
    await h.t.db('activity_days').where({ org_id: c.org.id }).delete();
    try {
      for (const [who, day] of [[c.admin.id, '2026-11-23'], [c.member.id, '2026-11-23'], [c.member.id, '2026-11-24'], [c.admin.id, '2026-10-02']] as const) {
        await recordActivity(h.t.db, c.org.id, who, new Date(`${day}T09:00:00Z`));
      }
      const day = await call(h, c.as.adminKey, 'GET', `${base}/activity?period=day`);
      expect(day.body.period).toBe('day');
      expect(day.body.series).toEqual([{ bucket: '2026-11-23', users: 2 }, { bucket: '2026-11-24', users: 1 }]);
      const month = await call(h, c.as.adminKey, 'GET', `${base}/activity?period=month`);
      expect(month.body.series).toEqual([{ bucket: '2026-10-01', users: 1 }, { bucket: '2026-11-01', users: 2 }]);
      const all = await call(h, c.as.sysAdmin, 'GET', `${base}/activity?period=all`);
      expect(all.body.series).toEqual([{ bucket: '2026-01-01', users: 2 }]);
      expect((await call(h, c.as.admin, 'GET', `${base}/activity`)).body.period).toBe('day');
      expect((await call(h, c.as.admin, 'GET', `${base}/activity?period=week`)).status).toBe(422);
    } finally {
      delete h.deps.now;
    }
  });
});

describe('GET /audit', () => {
  it('filters by actor, target, action (exact or prefix), outcome and time, newest first, paged by cursor', async () => {
    await call(h, c.as.admin, 'POST', `${base}/teams`, { name: 'Audit A' });
    await call(h, c.as.adminKey, 'POST', `${base}/teams`, { name: 'Audit B' });
    await call(h, c.as.admin, 'PATCH', `${base}/users/${c.admin.id}`, { orgRole: 'viewer' });

    const byAction = await call(h, c.as.admin, 'GET', `${base}/audit?action=team.create`);
    expect(byAction.body.items.map((e: { after: { name: string } }) => e.after.name).slice(0, 2)).toEqual(['Audit B', 'Audit A']);
    const byActor = await call(h, c.as.admin, 'GET', `${base}/audit?actor=ada&action=team.*`);
    expect(byActor.body.items.every((e: { actor: { id: string } }) => e.actor.id === c.as.admin.accountId)).toBe(true);
    expect(byActor.body.items.map((e: { after: { name: string } }) => e.after.name)).toContain('Audit A');
    const refused = await call(h, c.as.admin, 'GET', `${base}/audit?outcome=refused`);
    expect(refused.body.items[0]).toMatchObject({ action: 'member.role', outcome: 'refused', target: { type: 'user', id: c.admin.id }, reason: expect.stringMatching(/last-admin rule/) });
    const byTarget = await call(h, c.as.admin, 'GET', `${base}/audit?target=${c.admin.id}`);
    expect(byTarget.body.items.every((e: { target: { id: string } }) => e.target.id === c.admin.id)).toBe(true);

    const p1 = await call(h, c.as.admin, 'GET', `${base}/audit?limit=2`);
    expect(p1.body.items).toHaveLength(2);
    const p2 = await call(h, c.as.admin, 'GET', `${base}/audit?limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.items[0].id).toBeLessThan(p1.body.items[1].id);

    const future = await call(h, c.as.admin, 'GET', `${base}/audit?from=2999-01-01T00:00:00Z`);
    expect(future.body).toEqual({ items: [], nextCursor: null });
    const past = await call(h, c.as.admin, 'GET', `${base}/audit?to=2000-01-01T00:00:00Z`);
    expect(past.body.items).toEqual([]);
  });

  it('refuses malformed filters with 422', async () => {
    expect((await call(h, c.as.admin, 'GET', `${base}/audit?from=yesterday`)).status).toBe(422);
    expect((await call(h, c.as.admin, 'GET', `${base}/audit?action=DROP%20TABLE`)).status).toBe(422);
    expect((await call(h, c.as.admin, 'GET', `${base}/audit?limit=0`)).status).toBe(422);
  });

  it('never shows another organization\'s rows', async () => {
    await call(h, c.as.outsider, 'POST', `/api/v1/orgs/${c.other.slug}/teams`, { name: 'Theirs' });
    const r = await call(h, c.as.admin, 'GET', `${base}/audit?limit=200`);
    expect(r.body.items.some((e: { after: { name?: string } | null }) => e.after?.name === 'Theirs')).toBe(false);
  });
});
