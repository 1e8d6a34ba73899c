import type { Conn } from '../db/connect.ts';
import { isPermissionId, type HeldCustomRole, type PermissionId, type Principal, type TeamMembership } from './permissions/index.ts';
import type { MembershipRow, TeamRole } from './types.ts';

// Builds the `Principal` that can() judges, from the directory. can() never reads storage;
// this is the one place the admin API and the dashboard turn a person into a principal.

interface TeamPlace {
  team_id: string;
  role: TeamRole;
  base: 'viewer' | 'member' | null;
  permissions: unknown;
  members_can_invite: boolean;
}

function heldCustomRole(row: TeamPlace): HeldCustomRole | undefined {
  if (!row.base) return undefined;
  const stored = Array.isArray(row.permissions) ? (row.permissions as unknown[]) : [];
  // Ids come from storage: anything the catalog no longer knows is dropped, never trusted.
  const permissions = stored.filter((p): p is PermissionId => typeof p === 'string' && isPermissionId(p));
  return { base: row.base, permissions };
}

/**
 * The person as a principal in one organization: their system-admin flag, their
 * membership there (if any) and their places in its teams (with custom roles).
 * Returns null when the person does not exist.
 */
export async function loadPrincipal(conn: Conn, userId: string, orgId: string | null): Promise<Principal | null> {
  const user = await conn('users').where({ id: userId }).first<{ id: string; system_admin: boolean } | undefined>('id', 'system_admin');
  if (!user) return null;
  const teams = new Map<string, TeamMembership>();
  if (!orgId) return { userId, systemAdmin: user.system_admin, teams };

  const m = await conn('memberships')
    .where({ org_id: orgId, user_id: userId })
    .first<Pick<MembershipRow, 'org_role' | 'status' | 'models_seat'> | undefined>('org_role', 'status', 'models_seat');
  const places = (await conn('team_members as tm')
    .join('teams as t', 't.id', 'tm.team_id')
    .leftJoin('custom_roles as cr', 'cr.id', 'tm.custom_role_id')
    .where({ 't.org_id': orgId, 'tm.user_id': userId })
    .select('tm.team_id', 'tm.role', 'cr.base', 'cr.permissions', 't.members_can_invite')) as TeamPlace[];
  for (const p of places) {
    const customRole = heldCustomRole(p);
    const invite = p.members_can_invite ? { membersCanInvite: true } : {};
    teams.set(p.team_id, customRole ? { role: p.role, customRole, ...invite } : { role: p.role, ...invite });
  }
  if (!m) return { userId, systemAdmin: user.system_admin, teams };
  return {
    userId,
    systemAdmin: user.system_admin,
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
