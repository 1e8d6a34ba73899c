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
  const places = m.status !== 'active' ? [] : ((await conn('team_members as tm')
    .join('teams as t', 't.id', 'tm.team_id')
    .leftJoin('custom_roles as cr', 'cr.id', 'tm.custom_role_id')
    .where({ 't.org_id': orgId, 'tm.user_id': m.record_id })
    .select('tm.team_id', 'tm.role', 'cr.base', 'cr.permissions', 't.members_can_invite')) as TeamPlace[]);
  for (const p of places) {
    const customRole = heldCustomRole(p);
    const invite = p.members_can_invite ? { membersCanInvite: true } : {};
    teams.set(p.team_id, customRole ? { role: p.role, customRole, ...invite } : { role: p.role, ...invite });
  }
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
