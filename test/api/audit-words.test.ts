import { describe, expect, it } from 'vitest';
import { parseCsvObjects } from './csv.ts';
import { call, useCast, type Cast, type Harness } from './harness.ts';

// The audit log in words (issue 12 §8): targets by name, a one-line change, filters by a
// target's name, and a CSV download of the filtered selection.

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('audit entries in words', () => {
  it('a role change names its target and says "role: Member → Admin"', async () => {
    await h.t.db('users').where({ id: c.member.id }).update({ display_name: 'Max Planck' });
    expect((await call(h, c.as.admin, 'PATCH', `${base}/users/${c.member.id}`, { orgRole: 'admin' })).status).toBe(200);
    const r = await call(h, c.as.admin, 'GET', `${base}/audit?action=member.role&limit=1`);
    expect(r.body.items[0]).toMatchObject({
      action: 'member.role',
      actionLabel: 'Organization role changed',
      target: { type: 'user', id: c.member.id, name: 'Max Planck' },
      summary: 'role: Member → Admin',
      outcome: 'ok',
    });
    await call(h, c.as.admin, 'PATCH', `${base}/users/${c.member.id}`, { orgRole: 'member' });
  });

  it('a deleted team is still named by the entry it left; a rename says both names', async () => {
    const t = await call(h, c.as.admin, 'POST', `${base}/teams`, { name: 'Ephemeral' });
    await call(h, c.as.admin, 'PATCH', `${base}/teams/${t.body.id}`, { name: 'Ephemeral 2' });
    await call(h, c.as.admin, 'DELETE', `${base}/teams/${t.body.id}`);
    const r = await call(h, c.as.admin, 'GET', `${base}/audit?target=${t.body.id}`);
    const byAction = Object.fromEntries(r.body.items.map((e: { action: string }) => [e.action, e]));
    expect(byAction['team.rename']).toMatchObject({ actionLabel: 'Team renamed', summary: 'name: Ephemeral → Ephemeral 2' });
    expect(byAction['team.delete'].target.name).toMatch(/^Ephemeral/);
    expect(byAction['team.create'].target.name).toMatch(/^Ephemeral/);
  });

  it('filters by part of the target name, case-insensitively; another tenant’s names never match', async () => {
    const r = await call(h, c.as.admin, 'GET', `${base}/audit?target=max%20PLANCK`);
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeGreaterThan(0);
    expect(r.body.items.every((e: { target: { id: string } }) => e.target.id === c.member.id)).toBe(true);
    // olga belongs to the other organization: her name finds nothing here.
    expect((await call(h, c.as.admin, 'GET', `${base}/audit?target=olga`)).body.items).toEqual([]);
  });

  it('downloads the filtered log as CSV in the same words; a member may not', async () => {
    const res = await fetch(`${h.baseUrl}${base}/audit.csv?action=member.role`, { headers: { cookie: c.as.admin.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${c.org.slug}-audit-log.csv"`);
    const rows = parseCsvObjects(await res.text());
    expect(rows.length).toBe(2);
    expect(rows[1]).toMatchObject({ Actor: 'ada@acme.example', Action: 'Organization role changed', Target: 'Max Planck', Outcome: 'Done', Summary: 'role: Member → Admin', 'Action id': 'member.role', 'Target id': c.member.id });
    expect((await fetch(`${h.baseUrl}${base}/audit.csv`, { headers: { cookie: c.as.member.cookie } })).status).toBe(403);
  });
});
