import { describe, expect, it } from 'vitest';
import { call, useCast, type Cast, type Harness } from './harness.ts';

// What the Users and team pages need against the seed (issue 12 §9, §10): sortable
// columns, and a custom role chosen when a member is added to a team.

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

const names = (r: { body: { items: { userName: string }[] } }) => r.body.items.map((u) => u.userName);

describe('sorting users', () => {
  it('by role ranks Admin, Member, Viewer (not alphabetically), names breaking ties; "-" reverses', async () => {
    expect(names(await call(h, c.as.admin, 'GET', `${base}/users?sort=role`))).toEqual(['ada', 'max', 'tess', 'vic', 'vera']);
    expect(names(await call(h, c.as.admin, 'GET', `${base}/users?sort=-role`))).toEqual(['vera', 'max', 'tess', 'vic', 'ada']);
  });

  it('by last active puts people never active last either way', async () => {
    await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.viewOnly.id }).update({ last_active_at: new Date('2026-01-02T00:00:00Z') });
    await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.member.id }).update({ last_active_at: new Date('2026-01-01T00:00:00Z') });
    // ada is active too: her own requests count (activity is recorded per day of use).
    const desc = names(await call(h, c.as.admin, 'GET', `${base}/users?sort=-lastActive`)).filter((n) => n !== 'ada');
    const asc = names(await call(h, c.as.admin, 'GET', `${base}/users?sort=lastActive`)).filter((n) => n !== 'ada');
    expect(desc).toEqual(['vic', 'max', 'tess', 'vera']);
    expect(asc).toEqual(['max', 'vic', 'tess', 'vera']);
  });

  it('an unknown column is refused in words', async () => {
    const r = await call(h, c.as.admin, 'GET', `${base}/users?sort=password`);
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/^sort must be one of: name, -name, /);
  });
});

describe('adding a team member with a custom role', () => {
  it('adds them holding it, in one step; a custom role of another organization is refused and nothing is added', async () => {
    const role = await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: 'Auditor', base: 'viewer', permissions: [] });
    expect(role.status).toBe(201);
    const r = await call(h, c.as.admin, 'POST', `${base}/teams/${c.teamB.id}/members`, { user: 'vic', customRoleId: role.body.id });
    expect(r.status).toBe(201);
    expect(r.body.members.find((m: { userName: string }) => m.userName === 'vic')).toMatchObject({ role: 'view-only', customRole: { id: role.body.id, name: 'Auditor' } });

    const foreign = await call(h, c.as.otherKey, 'POST', `/api/v1/orgs/${c.other.slug}/custom-roles`, { name: 'Theirs', base: 'member' });
    const refused = await call(h, c.as.admin, 'POST', `${base}/teams/${c.teamB.id}/members`, { user: 'max', customRoleId: foreign.body.id });
    expect(refused.status).toBe(404);
    expect(await h.t.db('team_members').where({ team_id: c.teamB.id, user_id: c.member.id }).first()).toBeUndefined();
  });
});
