import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createScimToken } from '../../src/domain/scim-tokens.ts';
import { call, makeSession, startHarness, type Harness, type Session } from '../api/harness.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';

// Issue 14 item 2: an admin API key dies with its creator's admin power — demotion,
// deactivation, removal, by whatever door (admin API, SCIM, sign-in group claims, or a
// change no command saw) — and may carry an expiry; the list shows last use.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface Setup {
  orgId: string;
  base: string;
  a: { id: string; session: Session };
  b: { id: string; session: Session };
  scim: string;
}

async function twoAdmins(): Promise<Setup> {
  const org = await makeOrg(h.t.db);
  const a = (await makeMember(h.t.db, org.id, { orgRole: 'admin', userName: `ann-${org.slug}@acme.example` })).user;
  const b = (await makeMember(h.t.db, org.id, { orgRole: 'admin', userName: `bob-${org.slug}@acme.example` })).user;
  const { token } = await runInTransaction(h.t.db, testActor, (tx) => createScimToken(tx, org.id, 'idp'));
  return { orgId: org.id, base: `/api/v1/orgs/${org.slug}`, a: { id: a.id, session: await makeSession(h, a.id) }, b: { id: b.id, session: await makeSession(h, b.id) }, scim: token };
}

async function keyOf(s: Setup, who: Session | { apiKey: string }, body: Record<string, unknown> = { label: 'ci' }) {
  const r = await call(h, who, 'POST', `${s.base}/api-keys`, body);
  expect(r.status).toBe(201);
  return { id: r.body.id as string, apiKey: r.body.key as string };
}

const works = async (s: Setup, key: { apiKey: string }) => (await call(h, key, 'GET', `${s.base}/users`)).status;

async function scim(s: Setup, method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.baseUrl}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${s.scim}`, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.status;
}

describe('admin API keys follow their creator', () => {
  it('demotion through the admin API revokes the keys the admin made, and those made with them', async () => {
    const s = await twoAdmins();
    const k1 = await keyOf(s, s.a.session);
    const k2 = await keyOf(s, k1);
    const list = await call(h, s.b.session, 'GET', `${s.base}/api-keys`);
    expect(list.body.items.map((k: { id: string; createdBy: string }) => [k.id, k.createdBy])).toEqual([
      [k1.id, s.a.session.accountId],
      [k2.id, s.a.session.accountId],
    ]);
    expect(await works(s, k1)).toBe(200);

    expect((await call(h, s.b.session, 'PATCH', `${s.base}/users/${s.a.id}`, { orgRole: 'member' })).status).toBe(200);
    expect(await works(s, k1)).toBe(401);
    expect(await works(s, k2)).toBe(401);
    const rows = await h.t.db('api_keys').whereIn('id', [k1.id, k2.id]);
    expect(rows.every((r: { revoked_at: Date | null }) => r.revoked_at !== null)).toBe(true);
    const audit = await h.t.db('audit_log').where({ org_id: s.orgId, action: 'api_key.revoke' }).orderBy('id');
    expect(audit.map((r: { target_id: string }) => r.target_id).sort()).toEqual([k1.id, k2.id].sort());
    // Promoted again, the keys stay dead: power is not handed back to a leaked secret.
    expect((await call(h, s.b.session, 'PATCH', `${s.base}/users/${s.a.id}`, { orgRole: 'admin' })).status).toBe(200);
    expect(await works(s, k1)).toBe(401);
  });

  it('deactivation over SCIM (active: false) revokes them', async () => {
    const s = await twoAdmins();
    const k = await keyOf(s, s.a.session);
    expect(await scim(s, 'PATCH', `/Users/${s.a.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] })).toBe(200);
    expect(await works(s, k)).toBe(401);
    expect((await h.t.db('api_keys').where({ id: k.id }).first()).revoked_at).not.toBeNull();
  });

  it('removal over SCIM (DELETE) and through the admin API revokes them', async () => {
    const s = await twoAdmins();
    const k = await keyOf(s, s.a.session);
    expect(await scim(s, 'DELETE', `/Users/${s.a.id}`)).toBe(204);
    expect(await works(s, k)).toBe(401);

    const t = await twoAdmins();
    const kb = await keyOf(t, t.b.session);
    expect((await call(h, t.a.session, 'DELETE', `${t.base}/users/${t.b.id}`)).status).toBe(204);
    expect(await works(t, kb)).toBe(401);
  });

  it('admin power lost by any other path (a role change no command saw, an unlinked record) ends the key at once', async () => {
    const s = await twoAdmins();
    const k = await keyOf(s, s.a.session);
    await h.t.db('memberships').where({ user_id: s.a.id }).update({ org_role: 'member' });
    expect(await works(s, k)).toBe(401);

    const t = await twoAdmins();
    const k2 = await keyOf(t, t.a.session);
    await h.t.db('users').where({ id: t.a.id }).update({ account_id: null, linked_at: null, linked_by: null });
    expect(await works(t, k2)).toBe(401);
  });
});

describe('expiry and last use', () => {
  it('a key with an expiry stops at it; the list shows expiry and last use', async () => {
    const s = await twoAdmins();
    const past = await call(h, s.a.session, 'POST', `${s.base}/api-keys`, { label: 'old', expiresAt: new Date(Date.now() - 60_000).toISOString() });
    expect(past.status).toBe(422);
    const expiresAt = new Date(Date.now() + 30 * 86400_000);
    const k = await keyOf(s, s.a.session, { label: 'month', expiresAt: expiresAt.toISOString() });
    expect(await works(s, k)).toBe(200);
    const item = (await call(h, s.a.session, 'GET', `${s.base}/api-keys`)).body.items.find((i: { id: string }) => i.id === k.id);
    expect(new Date(item.expiresAt).getTime()).toBe(expiresAt.getTime());
    expect(item.lastUsedAt).not.toBeNull();

    await h.t.db('api_keys').where({ id: k.id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect(await works(s, k)).toBe(401);
    const never = await keyOf(s, s.a.session, { label: 'no expiry' });
    expect((await call(h, s.a.session, 'GET', `${s.base}/api-keys`)).body.items.find((i: { id: string }) => i.id === never.id).expiresAt).toBeNull();
  });
});
