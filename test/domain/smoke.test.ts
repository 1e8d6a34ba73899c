import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrg } from '../support/factories.ts';

let t: TestDb;
beforeAll(async () => { t = await createTestDb(); });
afterAll(async () => { await t.close(); });

it('migrates and adds a member', async () => {
  const org = await makeOrg(t.db);
  const { membership } = await makeMember(t.db, org.id, { orgRole: 'admin' });
  expect(membership.status).toBe('active');
});
