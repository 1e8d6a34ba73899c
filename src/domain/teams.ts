import type { Conn } from '../db/connect.ts';
import { newId } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { conflict, invalid, isUniqueViolation, notFound, uniqueness } from './errors.ts';
import { TEAM_ROLES, type TeamMemberRow, type TeamRole, type TeamRow } from './types.ts';

export interface TeamSettings {
  privacy?: 'private' | 'team' | 'public';
  membersCanInvite?: boolean;
  domainMatching?: boolean;
  storageType?: string;
}

function settingsColumns(s: TeamSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.privacy !== undefined) {
    if (!['private', 'team', 'public'].includes(s.privacy)) throw invalid('privacy must be private, team or public');
    out.privacy = s.privacy;
  }
  if (s.membersCanInvite !== undefined) out.members_can_invite = s.membersCanInvite;
  if (s.domainMatching !== undefined) out.domain_matching = s.domainMatching;
  if (s.storageType !== undefined) out.storage_type = s.storageType;
  return out;
}

function checkName(name: string): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (!n || n.length > 128) throw invalid('team name must be 1 to 128 characters');
  return n;
}

const teamSnapshot = (t: TeamRow) => ({
  name: t.name,
  storageType: t.storage_type,
  privacy: t.privacy,
  membersCanInvite: t.members_can_invite,
  domainMatching: t.domain_matching,
});

export async function getTeam(conn: Conn, orgId: string, teamId: string): Promise<TeamRow> {
  const t = await conn('teams').where({ id: teamId, org_id: orgId }).first<TeamRow | undefined>();
  if (!t) throw notFound('team', teamId);
  return t;
}

export async function findTeamByName(conn: Conn, orgId: string, name: string): Promise<TeamRow | undefined> {
  return conn('teams').where({ org_id: orgId }).whereRaw('name_key = lower(normalize(?, NFKC))', [name]).first<TeamRow | undefined>();
}

export async function createTeam(
  tx: Tx,
  orgId: string,
  input: { name: string; externalId?: string | null } & TeamSettings,
): Promise<TeamRow> {
  const name = checkName(input.name);
  try {
    const [row] = await tx.trx('teams')
      .insert({ id: newId(), org_id: orgId, name, external_id: input.externalId ?? null, ...settingsColumns(input) })
      .returning('*');
    const team = row as TeamRow;
    await audit(tx, { orgId, action: 'team.create', targetType: 'team', targetId: team.id, after: teamSnapshot(team) });
    return team;
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`a team named "${name}" already exists in this organization`, { attribute: 'displayName' });
    throw err;
  }
}

export async function renameTeam(tx: Tx, orgId: string, teamId: string, newName: string): Promise<TeamRow> {
  const before = await getTeam(tx.trx, orgId, teamId);
  const name = checkName(newName);
  if (name === before.name) return before;
  try {
    const [row] = await tx.trx('teams')
      .where({ id: teamId })
      .update({ name, version: tx.trx.raw('version + 1'), updated_at: tx.trx.fn.now() })
      .returning('*');
    await touchMembers(tx, orgId, { teamId });
    await audit(tx, { orgId, action: 'team.rename', targetType: 'team', targetId: teamId, before: { name: before.name }, after: { name } });
    return row as TeamRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`a team named "${name}" already exists in this organization`, { attribute: 'displayName' });
    throw err;
  }
}

export async function updateTeamSettings(tx: Tx, orgId: string, teamId: string, s: TeamSettings): Promise<TeamRow> {
  const before = await getTeam(tx.trx, orgId, teamId);
  const cols = settingsColumns(s);
  if (!Object.keys(cols).length) return before;
  const [row] = await tx.trx('teams')
    .where({ id: teamId })
    .update({ ...cols, version: tx.trx.raw('version + 1'), updated_at: tx.trx.fn.now() })
    .returning('*');
  await audit(tx, { orgId, action: 'team.settings', targetType: 'team', targetId: teamId, before: teamSnapshot(before), after: teamSnapshot(row as TeamRow) });
  return row as TeamRow;
}

/**
 * Deleting a team removes its memberships, never the members' work. It is refused while
 * the team owns service accounts: they (and their API keys) would go with it, silently
 * (issue 14) — delete or move them first. The role groups that map IdP groups to a role in
 * the team go with it, each recorded in the audit log.
 */
export async function deleteTeam(tx: Tx, orgId: string, teamId: string): Promise<void> {
  const before = await getTeam(tx.trx, orgId, teamId);
  const owned = (await tx.trx('service_accounts')
    .where({ org_id: orgId, team_id: teamId })
    .whereNull('deleted_at')
    .orderBy('name')
    .select('id', 'name')) as { id: string; name: string }[];
  if (owned.length) {
    throw conflict(
      `team "${before.name}" owns service accounts (${owned.map((s) => `"${s.name}"`).join(', ')}); delete them before the team`,
      { serviceAccounts: owned },
    );
  }
  const members = await tx.trx('team_members').where({ team_id: teamId }).count<{ n: number }>({ n: '*' }).first();
  const roleGroups = (await tx.trx('role_groups').where({ org_id: orgId, team_id: teamId }).delete().returning(['id', 'source', 'group_name', 'team_role'])) as {
    id: string;
    source: string;
    group_name: string;
    team_role: string;
  }[];
  for (const g of roleGroups) {
    await audit(tx, { orgId, action: 'role_group.delete', targetType: 'role_group', targetId: g.id, before: { source: g.source, groupName: g.group_name, teamId, teamRole: g.team_role, reason: 'team deleted' } });
  }
  await touchMembers(tx, orgId, { teamId });
  await tx.trx('teams').where({ id: teamId }).delete();
  await audit(tx, { orgId, action: 'team.delete', targetType: 'team', targetId: teamId, before: { ...teamSnapshot(before), members: Number(members?.n ?? 0), roleGroups: roleGroups.length } });
}

async function touchTeam(tx: Tx, teamId: string): Promise<void> {
  await tx.trx('teams').where({ id: teamId }).update({ version: tx.trx.raw('version + 1'), updated_at: tx.trx.fn.now() });
}

/**
 * A person's teams are part of how SCIM shows them (User `groups`, the orgbridge
 * extension's `teamRoles`), so a change to them is a new version of the membership:
 * ETags change and If-Match sees it (RFC 7644 §3.14).
 */
async function touchMembers(tx: Tx, orgId: string, who: { userIds: string[] } | { teamId: string }): Promise<void> {
  const q = tx.trx('memberships').where({ org_id: orgId });
  if ('userIds' in who) {
    if (!who.userIds.length) return;
    q.whereIn('user_id', who.userIds);
  } else {
    q.whereIn('user_id', tx.trx('team_members').where({ team_id: who.teamId }).select('user_id'));
  }
  await q.update({ version: tx.trx.raw('version + 1') });
}

function checkTeamRole(role: string): asserts role is TeamRole {
  if (!TEAM_ROLES.includes(role as TeamRole)) throw invalid(`team role must be one of ${TEAM_ROLES.join(', ')}`, { role });
}

/**
 * Adds members (idempotent: those already in the team keep their role). Each must be a
 * member of the team's organization. Returns how many were added.
 */
export async function addTeamMembers(tx: Tx, orgId: string, teamId: string, userIds: string[], role: TeamRole = 'member'): Promise<number> {
  checkTeamRole(role);
  await getTeam(tx.trx, orgId, teamId);
  const ids = [...new Set(userIds)];
  if (!ids.length) return 0;
  const members = new Set(
    (await tx.trx('memberships').where({ org_id: orgId }).whereIn('user_id', ids).pluck('user_id')) as string[],
  );
  const missing = ids.filter((id) => !members.has(id));
  if (missing.length) throw notFound('member', missing[0]);
  const inserted = await tx.trx('team_members')
    .insert(ids.map((user_id) => ({ team_id: teamId, user_id, role })))
    .onConflict(['team_id', 'user_id'])
    .ignore()
    .returning('user_id');
  if (inserted.length) {
    await touchTeam(tx, teamId);
    await touchMembers(tx, orgId, { userIds: inserted.map((r: { user_id: string }) => r.user_id) });
    await audit(tx, { orgId, action: 'team.members.add', targetType: 'team', targetId: teamId, after: { userIds: inserted.map((r: { user_id: string }) => r.user_id), role } });
  }
  return inserted.length;
}

export async function addTeamMember(tx: Tx, orgId: string, teamId: string, userId: string, role: TeamRole = 'member'): Promise<void> {
  await addTeamMembers(tx, orgId, teamId, [userId], role);
}

/** Removes members (idempotent). Returns how many were removed. */
export async function removeTeamMembers(tx: Tx, orgId: string, teamId: string, userIds: string[]): Promise<number> {
  await getTeam(tx.trx, orgId, teamId);
  if (!userIds.length) return 0;
  const removed = await tx.trx('team_members').where({ team_id: teamId }).whereIn('user_id', [...new Set(userIds)]).delete().returning(['user_id', 'role']);
  if (removed.length) {
    await touchTeam(tx, teamId);
    await touchMembers(tx, orgId, { userIds: removed.map((r: { user_id: string }) => r.user_id) });
    await audit(tx, { orgId, action: 'team.members.remove', targetType: 'team', targetId: teamId, before: { members: removed } });
  }
  return removed.length;
}

/** Sets a member's team role, or a custom role (which carries its base role). */
export async function setTeamRole(
  tx: Tx,
  orgId: string,
  teamId: string,
  userId: string,
  role: TeamRole | { customRoleId: string },
): Promise<TeamMemberRow> {
  await getTeam(tx.trx, orgId, teamId);
  const current = await tx.trx('team_members').where({ team_id: teamId, user_id: userId }).first<TeamMemberRow | undefined>();
  if (!current) throw notFound('team member', userId);
  let patch: { role: TeamRole; custom_role_id: string | null };
  if (typeof role === 'string') {
    checkTeamRole(role);
    patch = { role, custom_role_id: null };
  } else {
    const cr = await tx.trx('custom_roles').where({ id: role.customRoleId, org_id: orgId }).first('id', 'base');
    if (!cr) throw notFound('custom role', role.customRoleId);
    // A custom role's holder has its base role's powers plus the role's extra permissions.
    patch = { role: cr.base === 'viewer' ? 'view-only' : 'member', custom_role_id: cr.id };
  }
  const [row] = await tx.trx('team_members').where({ team_id: teamId, user_id: userId }).update(patch).returning('*');
  await touchTeam(tx, teamId);
  await touchMembers(tx, orgId, { userIds: [userId] });
  await audit(tx, {
    orgId,
    action: 'team.members.role',
    targetType: 'team',
    targetId: teamId,
    before: { userId, role: current.role, customRoleId: current.custom_role_id },
    after: { userId, role: patch.role, customRoleId: patch.custom_role_id },
  });
  return row as TeamMemberRow;
}
