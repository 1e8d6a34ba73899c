import type { Tx } from '../context.ts';
import { setOrgRole } from '../memberships.ts';
import { isRoleGroupSource, roleGroupsFor } from '../role-groups.ts';
import { addTeamMember, setTeamRole } from '../teams.ts';
import type { MembershipRow, OrgRole, TeamRole } from '../types.ts';
import { trustsOrg, type ProviderTrust } from './provider-trust.ts';

// IdP groups at sign-in (OIDC groups claim, LDAP groups with group sync on) → roles and
// teams. Only ever adds or raises:
//  - an organization role comes only from a role group an admin configured;
//  - a team role comes from a team role group, or (OIDC only) `member` for a team of the
//    same name;
//  - nothing is taken away here, so a sign-in can never remove an admin role given by
//    hand or by SCIM, and fields SCIM owns (memberships.idp_owned) are left alone.
// And only what the provider may speak for (SPEC §5, issue 11):
//  - only in the organizations that trust the provider (provider-trust.ts), whatever
//    other organizations the person belongs to;
//  - only role groups whose source is this provider: an "admins" group at one IdP is not
//    the "admins" of another, nor the SCIM group of that name;
//  - LDAP groups are DNs and compare as whole DNs (role-groups.ts). An LDAP group joins no
//    team by its name: its first RDN (`cn=research`) could be any same-named group
//    anywhere in the directory; map the DN to a team role instead.

const ORG_RANK: Record<OrgRole, number> = { viewer: 0, member: 1, admin: 2 };
const TEAM_RANK: Record<TeamRole, number> = { 'view-only': 0, member: 1, admin: 2 };

/** idp_owned names SCIM uses for the organization role. */
const ORG_ROLE_OWNED = ['organizationRole', 'orgRole', 'roles', 'role'];

/** Where the groups come from: SignInClaims carries both. */
export interface GroupClaimsFrom {
  source: string;
  trust: ProviderTrust;
}

/** Applies the groups to every active member record linked to the account, in organizations that trust the provider. */
export async function applyGroupClaims(tx: Tx, accountId: string, groups: string[], from: GroupClaimsFrom): Promise<void> {
  const source = from.source;
  // A sign-in speaks for its provider only; SCIM role groups belong to SCIM pushes.
  if (!isRoleGroupSource(source) || source === 'scim') throw new Error(`group claims from an unknown source "${source}"`);
  const byName = source !== 'ldap';
  const keys = [...new Set(groups.map((g) => g.normalize('NFKC').toLowerCase()))];
  if (!keys.length) return;
  const memberships = (await tx.trx('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .join('organizations as o', 'o.id', 'm.org_id')
    .where({ 'u.account_id': accountId, 'm.status': 'active' })
    .select('m.*', 'o.slug as org_slug')) as (MembershipRow & { org_slug: string })[];
  for (const m of memberships) {
    if (!trustsOrg(from.trust, { slug: m.org_slug })) continue;
    const userId = m.user_id;
    const roleGroups = await roleGroupsFor(tx.trx, m.org_id, source, groups);

    const owned = Array.isArray(m.idp_owned) ? m.idp_owned : [];
    const granted = roleGroups.map((g) => g.org_role).filter((r): r is OrgRole => r !== null);
    if (granted.length && !owned.some((f) => ORG_ROLE_OWNED.includes(f))) {
      const best = granted.reduce((a, b) => (ORG_RANK[b] > ORG_RANK[a] ? b : a));
      if (ORG_RANK[best] > ORG_RANK[m.org_role]) await setOrgRole(tx, m.org_id, userId, best);
    }

    const wanted = new Map<string, TeamRole>();
    for (const g of roleGroups) {
      if (g.team_id && g.team_role) {
        const cur = wanted.get(g.team_id);
        if (!cur || TEAM_RANK[g.team_role] > TEAM_RANK[cur]) wanted.set(g.team_id, g.team_role);
      }
    }
    if (byName) {
      const named = (await tx.trx('teams').where({ org_id: m.org_id }).whereIn('name_key', keys).pluck('id')) as string[];
      for (const teamId of named) if (!wanted.has(teamId)) wanted.set(teamId, 'member');
    }

    for (const [teamId, role] of wanted) {
      const current = await tx.trx('team_members').where({ team_id: teamId, user_id: userId }).first<{ role: TeamRole } | undefined>('role');
      if (!current) await addTeamMember(tx, m.org_id, teamId, userId, role);
      else if (TEAM_RANK[role] > TEAM_RANK[current.role]) await setTeamRole(tx, m.org_id, teamId, userId, role);
    }
  }
}
