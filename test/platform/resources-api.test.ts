import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/lib/secrets.ts';
import { call, startHarness, makeCast, type Harness } from '../api/harness.ts';
import { decisions, platformCredential } from './support.ts';

// Projects, registries and service accounts over the admin API (issue 15), with a clock
// the test moves (key expiry must not depend on today's date).

// The sessions the harness makes last an hour from the real clock: start there, move only the app's clock.
const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
let now = t0;
const day = 86_400_000;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { now: () => now });
});
afterAll(async () => {
  await h?.close();
});

describe('projects, registries and service accounts over the admin API', () => {
  it('the platform registers; the owner, a team admin or an org admin set visibility and roles; others cannot', async () => {
    {
      const c = await makeCast(h);
      const base = `/api/v1/orgs/${c.org.slug}`;
      const secret = await platformCredential(h, c.org.slug);
      const plat = { apiKey: secret };
      const created = await call(h, plat, 'POST', `${base}/projects`, { name: 'Detector', team: c.teamA.id, owner: { memberId: c.member.id } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Detector', team: c.teamA.id, visibility: 'team' });
      const p = created.body.id as string;
      expect(await h.t.db('audit_log').where({ action: 'project.create', target_id: p }).first()).toMatchObject({ actor_type: 'platform' });
      // The platform of another organization cannot see it.
      const other = await platformCredential(h, c.other.slug);
      expect((await call(h, { apiKey: other }, 'PATCH', `${base}/projects/${p}`, { visibility: 'public' })).status).toBe(404);

      // A team member who is not the owner: 403; the owner: 200.
      expect((await call(h, c.as.viewOnly, 'PATCH', `${base}/projects/${p}`, { visibility: 'restricted' })).status).toBe(403);
      const byOwner = await call(h, c.as.member, 'PATCH', `${base}/projects/${p}`, { visibility: 'restricted' });
      expect(byOwner.status).toBe(200);
      expect(byOwner.body.visibility).toBe('restricted');
      // The owner may name project roles (for the team's people only) but not rename.
      expect((await call(h, c.as.member, 'PUT', `${base}/projects/${p}/roles/${c.viewOnly.id}`, { role: 'member' })).status).toBe(200);
      expect((await call(h, c.as.member, 'PUT', `${base}/projects/${p}/roles/${c.orgViewer.id}`, { role: 'member' })).status).toBe(422);
      expect((await call(h, c.as.member, 'PATCH', `${base}/projects/${p}`, { name: 'X' })).status).toBe(403);
      expect((await call(h, c.as.teamAdmin, 'PATCH', `${base}/projects/${p}`, { name: 'Detector v2' })).status).toBe(200);
      expect((await h.t.db('project_roles').where({ project_id: p })).map((r) => [r.user_id, r.role])).toEqual([[c.viewOnly.id, 'member']]);
      const res = await decisions(h, secret, [{ principal: { type: 'person', memberId: c.viewOnly.id }, permission: 'experiments.view', resource: { type: 'project', id: p } }]);
      expect(res.body.results[0].decision).toBe('allow');
      expect(res.body.results[0].reason).toContain('project role member');

      // Registries: the platform registers; an org admin sets roles; a member cannot.
      const reg = await call(h, plat, 'POST', `${base}/registries`, { name: 'Models', visibility: 'restricted' });
      expect(reg.status).toBe(201);
      expect((await call(h, c.as.member, 'POST', `${base}/registries/${reg.body.id}/roles`, { member: c.member.id, role: 'admin' })).status).toBe(403);
      const granted = await call(h, c.as.admin, 'POST', `${base}/registries/${reg.body.id}/roles`, { team: c.teamA.id, role: 'member' });
      expect(granted.status).toBe(200);
      expect(granted.body.roles).toEqual([{ team: c.teamA.id, role: 'member' }]);

      // Service accounts: a team admin for their team; keys shown once, hashed, expiring, revocable.
      expect((await call(h, c.as.member, 'POST', `${base}/service-accounts`, { name: 'ci', team: c.teamA.id })).status).toBe(403);
      expect((await call(h, c.as.teamAdmin, 'POST', `${base}/service-accounts`, { name: 'org-wide' })).status).toBe(403);
      expect((await call(h, plat, 'POST', `${base}/service-accounts`, { name: 'ci' })).status).toBe(403);
      const sa = await call(h, c.as.teamAdmin, 'POST', `${base}/service-accounts`, { name: 'ci', team: c.teamA.id });
      expect(sa.status).toBe(201);
      expect(sa.body).toMatchObject({ name: 'ci', team: c.teamA.id, teamName: c.teamA.name, keys: [] });
      const seatsBefore = await h.t.db('memberships').where({ org_id: c.org.id }).count<{ count: string }[]>('* as count');
      const k = await call(h, c.as.teamAdmin, 'POST', `${base}/service-accounts/${sa.body.id}/keys`, { label: 'nightly', expiresInDays: 30 });
      expect(k.status).toBe(201);
      expect(k.body.key).toMatch(/^obsak_/);
      expect(k.body.expiresAt).toBe(new Date(t0.getTime() + 30 * day).toISOString());
      const stored = await h.t.db('service_account_keys').where({ id: k.body.id }).first();
      expect(stored.token_hash).toBe(hashSecret(k.body.key));
      expect(JSON.stringify(stored)).not.toContain(k.body.key);
      const listed = await call(h, c.as.teamAdmin, 'GET', `${base}/service-accounts`);
      expect(listed.body.items).toHaveLength(1);
      expect(JSON.stringify(listed.body)).not.toContain(k.body.key);
      // No seat, no SCIM User: the organization's member rows are unchanged.
      expect(await h.t.db('memberships').where({ org_id: c.org.id }).count<{ count: string }[]>('* as count')).toEqual(seatsBefore);

      const logs = [{ principal: { type: 'apiKey', key: k.body.key }, permission: 'experiments.log', resource: { type: 'project', id: (await call(h, plat, 'POST', `${base}/projects`, { name: 'Nightly', team: c.teamA.id })).body.id } }];
      expect((await decisions(h, secret, logs)).body.results[0].decision).toBe('allow');
      expect((await h.t.db('service_account_keys').where({ id: k.body.id }).first()).last_used_at).not.toBeNull();
      now = new Date(t0.getTime() + 30 * day + 1000); // past expiry
      expect((await decisions(h, secret, logs)).body.results[0]).toEqual({ decision: 'deny', reason: 'API key is unknown, revoked or expired' });
      now = t0;
      expect((await call(h, c.as.teamAdmin, 'DELETE', `${base}/service-accounts/${sa.body.id}/keys/${k.body.id}`)).status).toBe(204);
      expect((await decisions(h, secret, logs)).body.results[0].decision).toBe('deny');
      expect((await call(h, c.as.admin, 'DELETE', `${base}/service-accounts/${sa.body.id}`)).status).toBe(204);
      expect((await h.t.db('audit_log').where({ org_id: c.org.id }).whereIn('action', ['service_account.create', 'service_account.key.create', 'service_account.key.revoke', 'service_account.delete']).orderBy('id')).map((r) => r.action)).toEqual(['service_account.create', 'service_account.key.create', 'service_account.key.revoke', 'service_account.delete']);
    }
  });
});
