import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/connect.ts';
import { runInTransaction, type Actor } from '../../src/domain/context.ts';
import { createAccount, findAccountByEmail, linkRecord } from '../../src/domain/accounts.ts';
import { addMember, type AddMemberInput } from '../../src/domain/memberships.ts';
import { createOrganization } from '../../src/domain/organizations.ts';
import { createTeam } from '../../src/domain/teams.ts';
import type { MembershipRow, OrganizationRow, TeamRow, UserRow } from '../../src/domain/types.ts';

// Row factories for tests: real rows through the real domain commands.

export const testActor: Actor = { type: 'system', id: null, label: 'test' };
const uniq = () => randomBytes(4).toString('hex');

export async function makeOrg(db: Db, name = `org-${uniq()}`): Promise<OrganizationRow> {
  return runInTransaction(db, testActor, (tx) => createOrganization(tx, { name }));
}

export async function makeMember(
  db: Db,
  orgId: string,
  opts: Partial<Omit<AddMemberInput, 'orgId' | 'person'>> & { userName?: string; email?: string } = {},
): Promise<{ user: UserRow; membership: MembershipRow }> {
  const userName = opts.userName ?? `user-${uniq()}@example.test`;
  const { userName: _u, email, ...rest } = opts;
  return runInTransaction(db, testActor, (tx) =>
    addMember(tx, { orgId, person: { userName, email: email ?? (userName.includes('@') ? userName : null) }, ...rest }),
  );
}

/**
 * The account linked to a member record, made and linked (as an operator would) when the
 * record has none yet: the person behind a record, for tests that sign them in.
 */
export async function accountFor(db: Db, recordId: string): Promise<string> {
  const record = await db('users').where({ id: recordId }).first<UserRow | undefined>();
  if (!record) throw new Error(`no member record ${recordId}`);
  if (record.account_id) return record.account_id;
  return runInTransaction(db, testActor, async (tx) => {
    const email = record.email ?? (record.user_name.includes('@') ? record.user_name : null);
    const account = (email && (await findAccountByEmail(tx.trx, email))) || (await createAccount(tx, { email, displayName: record.display_name }));
    await linkRecord(tx, record, account.id, 'operator');
    return account.id;
  });
}

export async function makeTeam(db: Db, orgId: string, name = `team-${uniq()}`): Promise<TeamRow> {
  return runInTransaction(db, testActor, (tx) => createTeam(tx, orgId, { name }));
}

export async function auditRows(db: Db, where: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
  return db('audit_log').where(where).orderBy('id');
}
