import type { Conn } from '../db/connect.ts';
import { newId } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { invalid, isUniqueViolation, notFound, uniqueness } from './errors.ts';
import type { OrgRole, TeamRole } from './types.ts';

// Role groups map an IdP group (a SCIM group's displayName or a value of an SSO groups
// claim) to an organization role, or to a role in one team, instead of plain membership.

export interface RoleGroupRow {
  id: string;
  org_id: string;
  group_name: string;
  org_role: OrgRole | null;
  team_id: string | null;
  team_role: TeamRole | null;
  created_at: Date;
}

export type RoleGroupGrant = { orgRole: OrgRole } | { teamId: string; teamRole: TeamRole };

export async function createRoleGroup(tx: Tx, orgId: string, groupName: string, grant: RoleGroupGrant): Promise<RoleGroupRow> {
  if (!groupName.trim()) throw invalid('group name is required');
  const row: Record<string, unknown> = { id: newId(), org_id: orgId, group_name: groupName.trim() };
  if ('orgRole' in grant) row.org_role = grant.orgRole;
  else {
    if (!(await tx.trx('teams').where({ id: grant.teamId, org_id: orgId }).first('id'))) throw notFound('team', grant.teamId);
    Object.assign(row, { team_id: grant.teamId, team_role: grant.teamRole });
  }
  try {
    const [created] = await tx.trx('role_groups').insert(row).returning('*');
    await audit(tx, { orgId, action: 'role_group.create', targetType: 'role_group', targetId: row.id as string, after: { groupName, ...grant } });
    return created as RoleGroupRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`group "${groupName}" is already mapped`);
    if ((err as { code?: string }).code === '23514') throw invalid('a role group grants either an organization role or a team role');
    throw err;
  }
}

export async function deleteRoleGroup(tx: Tx, orgId: string, id: string): Promise<void> {
  // Counted through returning(): PGlite's driver answers a bare delete with a result object, not a count.
  const gone = await tx.trx('role_groups').where({ id, org_id: orgId }).delete().returning('id');
  if (!gone.length) throw notFound('role group', id);
  await audit(tx, { orgId, action: 'role_group.delete', targetType: 'role_group', targetId: id });
}

export async function listRoleGroups(conn: Conn, orgId: string): Promise<RoleGroupRow[]> {
  return conn('role_groups').where({ org_id: orgId }).orderBy('group_name').select<RoleGroupRow[]>('*');
}

/** Role groups whose name matches (case-insensitively) one of the given group names. */
export async function roleGroupsFor(conn: Conn, orgId: string, groupNames: string[]): Promise<RoleGroupRow[]> {
  if (!groupNames.length) return [];
  return conn('role_groups')
    .where({ org_id: orgId })
    .whereRaw('lower(group_name) = any(?)', [groupNames.map((g) => g.toLowerCase())])
    .select<RoleGroupRow[]>('*');
}
