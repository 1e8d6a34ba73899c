import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, migrateUpTo } from '../../src/db/migrate.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

// Migration 009 (issue 14): admin keys made with another key take that key's creator
// (through the audit row of their creation, along chains); admin keys with no creator, or
// whose creator is no longer an active admin there, are revoked and audited.

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb(10, { migrated: false });
  await migrateUpTo(t.db, '20261207_008_setup_token.ts');
});
afterAll(async () => {
  await t?.close();
});

it('fills in inherited creators and revokes the keys nobody with admin power stands behind', async () => {
  const db = t.db;
  const org = randomUUID();
  await db('organizations').insert({ id: org, name: 'Acme', slug: 'acme' });
  const person = async (name: string, role: string, status = 'active') => {
    const account = randomUUID();
    const record = randomUUID();
    await db('accounts').insert({ id: account, email: `${name}@acme.example` });
    await db('users').insert({ id: record, org_id: org, user_name: name, account_id: account, linked_at: new Date(), linked_by: 'operator' });
    await db('memberships').insert({ id: randomUUID(), org_id: org, user_id: record, status, org_role: role, models_seat: 'full', weave_access: 'full' });
    return account;
  };
  const admin = await person('ada', 'admin');
  const member = await person('max', 'member');
  const gone = await person('dee', 'admin', 'deactivated');
  const key = async (createdBy: string | null, madeWith?: string) => {
    const id = randomUUID();
    await db('api_keys').insert({ id, org_id: org, kind: 'admin', label: id.slice(0, 4), token_hash: randomUUID(), created_by: createdBy });
    if (madeWith) await db('audit_log').insert({ org_id: org, actor_type: 'api_key', actor_id: madeWith, action: 'api_key.create', target_type: 'api_key', target_id: id, outcome: 'ok' });
    return id;
  };
  const k1 = await key(admin);
  const k2 = await key(null, k1);
  const k3 = await key(null, k2);
  const orphan = await key(null);
  const byMember = await key(member);
  const byDeactivated = await key(gone);
  const byDeactivatedChild = await key(null, byDeactivated);

  await migrate(db);
  type KeyRow = { id: string; created_by: string | null; revoked_at: Date | null; expires_at: Date | null };
  const rows: Record<string, KeyRow> = Object.fromEntries(((await db('api_keys').select('id', 'created_by', 'revoked_at', 'expires_at')) as KeyRow[]).map((r) => [r.id, r]));
  expect([k1, k2, k3].map((id) => [rows[id]!.created_by, rows[id]!.revoked_at, rows[id]!.expires_at])).toEqual([
    [admin, null, null],
    [admin, null, null],
    [admin, null, null],
  ]);
  for (const id of [orphan, byMember, byDeactivated, byDeactivatedChild]) expect(rows[id]!.revoked_at).not.toBeNull();
  expect(rows[byDeactivatedChild]!.created_by).toBe(gone);
  const audits = await db('audit_log').where({ action: 'api_key.revoke', actor_type: 'system' }).orderBy('target_id');
  expect(audits.map((a: { target_id: string }) => a.target_id).sort()).toEqual([orphan, byMember, byDeactivated, byDeactivatedChild].sort());
  expect(audits.find((a: { target_id: string }) => a.target_id === orphan).after).toMatchObject({ reason: 'no known creator (migration 009)' });
});
