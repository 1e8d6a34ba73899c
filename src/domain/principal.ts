import type { Conn } from '../db/connect.ts';
import { isPermissionId, type HeldCustomRole, type PermissionId, type Principal, type TeamMembership } from './permissions/index.ts';
import type { MembershipRow, TeamRole } from './types.ts';

// Builds the `Principal` that can() judges, from the directory. can() never reads storage;
// this is the one place the admin API and the dashboard turn a person into a principal.

/** A team place as stored: the role, the custom role's base and permissions, the team's invite setting. */
export interface TeamPlace {
  team_id: string;
  role: TeamRole;
  base: 'viewer' | 'member' | null;
  permissions: unknown;
  members_can_invite: boolean;
}

/** Team places with what can() needs of them (this query, then `teamMembershipOf`). */
export function teamPlaces(conn: Conn) {
  return conn('team_members as tm')
    .join('teams as t', 't.id', 'tm.team_id')
    .leftJoin('custom_roles as cr', 'cr.id', 'tm.custom_role_id')
    .select('tm.user_id', 'tm.team_id', 'tm.role', 'cr.base', 'cr.permissions', 't.members_can_invite');
}

/** A stored place as can() reads it. Custom-role permission ids come from storage: any the catalog no longer knows is dropped, never trusted. */
export function teamMembershipOf(row: TeamPlace): TeamMembership {
  const invite = row.members_can_invite ? { membersCanInvite: true } : {};
  if (!row.base) return { role: row.role, ...invite };
  const stored = Array.isArray(row.permissions) ? (row.permissions as unknown[]) : [];
  const permissions = stored.filter((p): p is PermissionId => typeof p === 'string' && isPermissionId(p));
  const customRole: HeldCustomRole = { base: row.base, permissions };
  return { role: row.role, customRole, ...invite };
}

/**
 * The account as a principal in one organization: its system-admin flag, its member
 * record there (if one is linked to it), that record's membership and its places in the
 * organization's teams (with custom roles). Returns null when the account does not exist.
 */
export async function loadPrincipal(conn: Conn, accountId: string, orgId: string | null): Promise<Principal | null> {
  const account = await conn('accounts').where({ id: accountId }).first<{ id: string; system_admin: boolean } | undefined>('id', 'system_admin');
  if (!account) return null;
  const userId = accountId;
  const teams = new Map<string, TeamMembership>();
  if (!orgId) return { userId, systemAdmin: account.system_admin, teams };

  const m = await conn('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where({ 'u.org_id': orgId, 'u.account_id': accountId })
    .first<(Pick<MembershipRow, 'org_role' | 'status' | 'models_seat'> & { record_id: string }) | undefined>('m.org_role', 'm.status', 'm.models_seat', 'u.id as record_id');
  if (!m) return { userId, systemAdmin: account.system_admin, teams };
  // Team places count only while the membership is active: a deactivated or pending
  // member's places are kept for later, and grant nothing meanwhile (issue 14).
  const places = m.status !== 'active' ? [] : ((await teamPlaces(conn).where({ 't.org_id': orgId, 'tm.user_id': m.record_id })) as TeamPlace[]);
  for (const p of places) teams.set(p.team_id, teamMembershipOf(p));
  return {
    userId,
    memberId: m.record_id,
    systemAdmin: account.system_admin,
    org: { orgId, role: m.org_role, status: m.status, modelsSeat: m.models_seat },
    teams,
  };
}

/**
 * An organization's admin API key (automation): it acts as an active organization admin
 * of that organization and of nothing else. Its id is prefixed so it can never collide
 * with a person's id in an ownership check.
 */
export function apiKeyPrincipal(keyId: string, orgId: string): Principal {
  return {
    userId: `api_key:${keyId}`,
    systemAdmin: false,
    org: { orgId, role: 'admin', status: 'active', modelsSeat: 'full' },
    teams: new Map(),
  };
}
