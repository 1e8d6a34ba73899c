import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrateUpTo } from '../../src/db/migrate.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

// Migration 005 on a database written by the old model (one global person row shared by
// every organization): every membership becomes a member record with the attributes it
// had, the person's identities and sessions stay with their account, and no row is lost.

let t: TestDb;
const id = {
  acme: randomUUID(), globex: randomUUID(), acmeTeam: randomUUID(), globexTeam: randomUUID(),
  pat: randomUUID(), quinn: randomUUID(), sys: randomUUID(), ron: randomUUID(),
  patAcme: randomUUID(), patGlobex: randomUUID(), quinnAcme: randomUUID(),
  key: randomUUID(), invitation: randomUUID(),
};

async function seedOldModel(db: TestDb['db']): Promise<void> {
  await db('organizations').insert([
    { id: id.acme, name: 'Acme', slug: 'acme' },
    { id: id.globex, name: 'Globex', slug: 'globex' },
  ]);
  await db('teams').insert([
    { id: id.acmeTeam, org_id: id.acme, name: 'Vision' },
    { id: id.globexTeam, org_id: id.globex, name: 'Ops' },
  ]);
  await db('users').insert([
    // Pat: in both organizations, signed in through OIDC, with a session and a profile.
    { id: id.pat, user_name: 'pat@acme.example', email: 'pat@acme.example', display_name: 'Pat Doe', given_name: 'Pat', family_name: 'Doe', title: 'Engineer', profile: JSON.stringify({ enterprise: { department: 'R&D' } }), created_at: new Date('2026-01-01T00:00:00Z') },
    // Quinn: provisioned over SCIM, never signed in.
    { id: id.quinn, user_name: 'quinn', email: 'quinn@acme.example', display_name: 'Quinn' },
    // A system admin in no organization, and someone who signed in once and was removed since.
    { id: id.sys, user_name: 'root@ops.example', email: 'root@ops.example', system_admin: true },
    { id: id.ron, user_name: 'ron@gone.example', email: 'ron@gone.example' },
  ]);
  await db('user_emails').insert([
    { user_id: id.pat, value: 'pat@acme.example', type: 'work', primary: true, position: 0 },
    { user_id: id.pat, value: 'pat@home.example', type: 'home', primary: false, position: 1 },
    { user_id: id.quinn, value: 'quinn@acme.example', type: 'work', primary: true, position: 0 },
  ]);
  await db('memberships').insert([
    { id: id.patAcme, org_id: id.acme, user_id: id.pat, status: 'active', org_role: 'admin', models_seat: 'full', weave_access: 'full', external_id: 'entra-pat', days_active: 12, created_at: new Date('2026-02-01T00:00:00Z') },
    { id: id.patGlobex, org_id: id.globex, user_id: id.pat, status: 'active', org_role: 'member', models_seat: 'viewer', weave_access: 'viewer', external_id: 'okta-pat', days_active: 3, created_at: new Date('2026-03-01T00:00:00Z') },
    { id: id.quinnAcme, org_id: id.acme, user_id: id.quinn, status: 'deactivated', org_role: 'viewer', models_seat: 'none', weave_access: 'none', deactivated_at: new Date('2026-04-01T00:00:00Z') },
  ]);
  await db('team_members').insert([
    { team_id: id.acmeTeam, user_id: id.pat, role: 'admin' },
    { team_id: id.globexTeam, user_id: id.pat, role: 'view-only' },
  ]);
  await db('activity_days').insert([
    { org_id: id.acme, user_id: id.pat, day: '2026-11-02' },
    { org_id: id.globex, user_id: id.pat, day: '2026-11-03' },
  ]);
  await db('organizations').where({ id: id.globex }).update({ billing_admin_user_id: id.pat });
  await db('api_keys').insert({ id: id.key, org_id: id.globex, user_id: id.pat, kind: 'user', token_hash: 'h-key', created_by: id.pat });
  await db('invitations').insert({ id: id.invitation, org_id: id.globex, user_id: id.pat, org_role: 'member', token_hash: 'h-inv', invited_by: id.quinn, expires_at: new Date('2026-03-08T00:00:00Z'), accepted_at: new Date('2026-03-02T00:00:00Z') });
  await db('external_identities').insert([
    { provider: 'oidc:https://idp.acme.example', external_id: 'sub-pat', user_id: id.pat },
    { provider: 'oidc:https://idp.acme.example', external_id: 'sub-ron', user_id: id.ron },
  ]);
  await db('sessions').insert({ sid: 'pat-session', user_id: id.pat, data: JSON.stringify({ userId: id.pat }), expires_at: new Date('2099-01-01T00:00:00Z') });
}

const count = async (table: string) => Number((await t.db(table).count<{ n: number }>({ n: '*' }).first())!.n);

beforeAll(async () => {
  t = await createTestDb(10, { migrated: false });
  await migrateUpTo(t.db, '20261124_004_membership_counts.ts');
  await seedOldModel(t.db);
  // 004 counted what existed when it ran; the seed came after: count it the way 004 did.
  await t.db.raw('delete from org_membership_counts');
  await t.db.raw('insert into org_membership_counts (org_id, shard, n) select org_id, 0, count(*) from memberships group by org_id');
  await migrate(t.db);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('migration 005: accounts and per-organization member records', () => {
  it('keeps every membership, team place, activity day, key and invitation, each on its organization\u2019s record', async () => {
    expect(await count('memberships')).toBe(3);
    expect(await count('team_members')).toBe(2);
    expect(await count('activity_days')).toBe(2);
    expect(await count('api_keys')).toBe(1);
    expect(await count('invitations')).toBe(1);
    // Pat in two organizations is two records; Quinn one; nobody in no organization has one.
    expect(await count('users')).toBe(3);
    const pat = await t.db('users').where({ org_id: id.acme, user_name: 'pat@acme.example' }).first();
    const patG = await t.db('users').where({ org_id: id.globex, user_name: 'pat@acme.example' }).first();
    expect(pat.id).toBe(id.pat);
    expect(patG.id).not.toBe(id.pat);
    for (const r of [pat, patG]) {
      expect(r).toMatchObject({ display_name: 'Pat Doe', given_name: 'Pat', family_name: 'Doe', title: 'Engineer', email: 'pat@acme.example', account_id: id.pat, linked_by: 'migration' });
      expect(r.profile).toEqual({ enterprise: { department: 'R&D' } });
      expect(await t.db('user_emails').where({ user_id: r.id }).orderBy('position').pluck('value')).toEqual(['pat@acme.example', 'pat@home.example']);
    }
    expect(await t.db('memberships').where({ id: id.patAcme }).first()).toMatchObject({ user_id: pat.id, org_role: 'admin', external_id: 'entra-pat', days_active: 12 });
    expect(await t.db('memberships').where({ id: id.patGlobex }).first()).toMatchObject({ user_id: patG.id, org_role: 'member', models_seat: 'viewer', weave_access: 'viewer', external_id: 'okta-pat', days_active: 3 });
    expect(await t.db('team_members').where({ team_id: id.acmeTeam }).first()).toMatchObject({ user_id: pat.id, role: 'admin' });
    expect(await t.db('team_members').where({ team_id: id.globexTeam }).first()).toMatchObject({ user_id: patG.id, role: 'view-only' });
    expect(await t.db('activity_days').where({ org_id: id.globex }).first()).toMatchObject({ user_id: patG.id });
    expect(await t.db('activity_days').where({ org_id: id.acme }).first()).toMatchObject({ user_id: pat.id });
    expect(await t.db('api_keys').where({ id: id.key }).first()).toMatchObject({ user_id: patG.id, created_by: id.pat });
    expect(await t.db('invitations').where({ id: id.invitation }).first()).toMatchObject({ user_id: patG.id, invitee: 'pat@acme.example', invited_by: null });
    expect(await t.db('organizations').where({ id: id.globex }).first()).toMatchObject({ billing_admin_user_id: patG.id });
    const quinn = await t.db('users').where({ id: id.quinn }).first();
    expect(quinn).toMatchObject({ org_id: id.acme, account_id: null, display_name: 'Quinn' });
    expect(await t.db('memberships').where({ id: id.quinnAcme }).first()).toMatchObject({ status: 'deactivated', org_role: 'viewer' });
    // The kept counts still equal count(*).
    const kept = await t.db.raw('select org_id, sum(n)::int as n from org_membership_counts group by org_id order by org_id');
    const real = await t.db.raw('select org_id, count(*)::int as n from memberships group by org_id order by org_id');
    expect(kept.rows).toEqual(real.rows);
  });

  it('makes accounts of the people who signed in or administer, and keeps their identities and sessions', async () => {
    const accounts = await t.db('accounts').orderBy('email').select('id', 'email', 'system_admin', 'display_name');
    expect(accounts).toEqual([
      { id: id.pat, email: 'pat@acme.example', system_admin: false, display_name: 'Pat Doe' },
      { id: id.ron, email: 'ron@gone.example', system_admin: false, display_name: null },
      { id: id.sys, email: 'root@ops.example', system_admin: true, display_name: null },
    ]);
    expect(await t.db('external_identities').orderBy('external_id').select('external_id', 'account_id')).toEqual([
      { external_id: 'sub-pat', account_id: id.pat },
      { external_id: 'sub-ron', account_id: id.ron },
    ]);
    expect(await t.db('sessions').where({ sid: 'pat-session' }).first()).toMatchObject({ account_id: id.pat });
  });

  it('leaves userName unique per organization only, and emails shared freely', async () => {
    await t.db('users').insert({ id: randomUUID(), org_id: id.acme, user_name: 'pat-admin', email: 'PAT@acme.example' });
    await expect(t.db('users').insert({ id: randomUUID(), org_id: id.acme, user_name: 'QUINN' })).rejects.toMatchObject({ code: '23505' });
    await t.db('users').insert({ id: randomUUID(), org_id: id.globex, user_name: 'QUINN' });
    await expect(t.db('users').where({ id: id.quinn }).update({ org_id: id.globex })).rejects.toMatchObject({ code: '23514' });
  });
});
