import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/connect.ts';
import { runInTransaction, type Actor } from '../../src/domain/context.ts';
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

export async function makeTeam(db: Db, orgId: string, name = `team-${uniq()}`): Promise<TeamRow> {
  return runInTransaction(db, testActor, (tx) => createTeam(tx, orgId, { name }));
}

export async function auditRows(db: Db, where: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
  return db('audit_log').where(where).orderBy('id');
}
