import { afterAll, beforeAll, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { invite } from '../../src/domain/invitations.ts';
import { runMaintenance } from '../../src/maintenance.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { accountFor, makeMember, makeOrg, testActor } from '../support/factories.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

it('deletes expired sessions and sign-in counters, and drops pending memberships whose invitations expired', async () => {
  const org = await makeOrg(t.db);
  const { user } = await makeMember(t.db, org.id);
  const account = await accountFor(t.db, user.id);
  const now = new Date('2026-11-24T12:00:00Z');
  await t.db('sessions').insert([
    { sid: 'old', account_id: account, data: '{}', expires_at: new Date('2026-11-24T11:59:59Z') },
    { sid: 'live', account_id: account, data: '{}', expires_at: new Date('2026-11-24T12:30:00Z') },
  ]);
  await t.db('login_throttle').insert([
    { key: 'ldap:account:gone|127.0.0.1', hits: 5, reset_at: new Date('2026-11-24T11:45:00Z') },
    { key: 'ldap:account:kept|127.0.0.1', hits: 2, reset_at: new Date('2026-11-24T12:10:00Z') },
  ]);
  const stale = await runInTransaction(t.db, testActor, (tx) =>
    invite(tx, { orgId: org.id, emailOrUserName: 'stale@acme.example', ttlDays: 1, now: new Date('2026-11-20T00:00:00Z') }),
  );
  const fresh = await runInTransaction(t.db, testActor, (tx) =>
    invite(tx, { orgId: org.id, emailOrUserName: 'fresh@acme.example', ttlDays: 7, now: new Date('2026-11-24T00:00:00Z') }),
  );
  expect(await runMaintenance(t.db, now)).toEqual({ sessions: 1, invitations: 1, loginThrottle: 1, domainsExpired: 0, domainsVerified: 0 });
  expect(await t.db('sessions').pluck('sid')).toEqual(['live']);
  expect(await t.db('login_throttle').pluck('key')).toEqual(['ldap:account:kept|127.0.0.1']);
  expect(await t.db('memberships').where({ org_id: org.id, user_id: stale.invitation.user_id! })).toHaveLength(0);
  expect(await t.db('users').where({ id: stale.invitation.user_id! })).toHaveLength(0);
  expect(await t.db('memberships').where({ org_id: org.id, user_id: fresh.invitation.user_id! }).first()).toMatchObject({ status: 'pending' });
  expect(await t.db('audit_log').where({ action: 'invitation.expire', target_id: stale.invitation.user_id!, actor_type: 'system' })).toHaveLength(1);
  expect(await runMaintenance(t.db, now)).toEqual({ sessions: 0, invitations: 0, loginThrottle: 0, domainsExpired: 0, domainsVerified: 0 });
});
