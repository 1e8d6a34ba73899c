import type { Conn } from '../db/connect.ts';
import { canonicalDn, formatDn } from '../lib/dn.ts';
import { newId } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { invalid, isUniqueViolation, notFound, uniqueness } from './errors.ts';
import type { OrgRole, TeamRole } from './types.ts';

// Role groups map an IdP group to an organization role, or to a role in one team, instead
// of plain membership. Each has a source — the door its group comes through — and applies
// only to groups from that door (SPEC §5; migrations/20261207_007_role_group_source.ts):
//   scim          a SCIM group's displayName (src/scim/resources/groups/members.ts);
//   oidc:<name>   a value of that OIDC provider's groups claim, at sign-in;
//   ldap          an LDAP group's full DN, at sign-in (with LDAP_GROUP_SYNC).
// A group called "admins" at one IdP is not "admins" at another: without the source, any
// provider whose groups claim said "admins" would be granted what the SCIM group grants.

export type RoleGroupSource = 'scim' | 'ldap' | `oidc:${string}`;

/** `scim`, `ldap` or `oidc:<provider name>` (the provider name's format, src/config/schema.ts). */
export const ROLE_GROUP_SOURCE = /^(?:scim|ldap|oidc:[a-z][a-z0-9-]{0,31})$/;

export function isRoleGroupSource(s: string): s is RoleGroupSource {
  return ROLE_GROUP_SOURCE.test(s);
}

export interface RoleGroupRow {
  id: string;
  org_id: string;
  source: RoleGroupSource;
  /** The group's name; for source `ldap`, its DN (tidied by formatDn). */
  group_name: string;
  org_role: OrgRole | null;
  team_id: string | null;
  team_role: TeamRole | null;
  created_at: Date;
}

export type RoleGroupGrant = { orgRole: OrgRole } | { teamId: string; teamRole: TeamRole };

/** The name as stored: an LDAP group's DN in one spelling (so the unique index sees duplicates). */
function groupNameFor(source: RoleGroupSource, groupName: string): string {
  const name = groupName.trim();
  if (!name) throw invalid('group name is required');
  if (source !== 'ldap') return name;
  const dn = formatDn(name);
  if (!dn) throw invalid(`an LDAP role group names the group's full DN (e.g. cn=ml-admins,ou=groups,dc=example,dc=org), not "${name}"`, { groupName: name });
  return dn;
}

export async function createRoleGroup(tx: Tx, orgId: string, groupName: string, grant: RoleGroupGrant, source: RoleGroupSource): Promise<RoleGroupRow> {
  if (!isRoleGroupSource(source)) throw invalid(`source must be scim, ldap or oidc:<provider name>, not "${String(source)}"`, { source });
  const name = groupNameFor(source, groupName);
  const row: Record<string, unknown> = { id: newId(), org_id: orgId, source, group_name: name };
  if ('orgRole' in grant) row.org_role = grant.orgRole;
  else {
    if (!(await tx.trx('teams').where({ id: grant.teamId, org_id: orgId }).first('id'))) throw notFound('team', grant.teamId);
    Object.assign(row, { team_id: grant.teamId, team_role: grant.teamRole });
  }
  try {
    const [created] = await tx.trx('role_groups').insert(row).returning('*');
    await audit(tx, { orgId, action: 'role_group.create', targetType: 'role_group', targetId: row.id as string, after: { source, groupName: name, ...grant } });
    return created as RoleGroupRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`group "${name}" (${source}) is already mapped`);
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
  return conn('role_groups').where({ org_id: orgId }).orderBy(['source', 'group_name']).select<RoleGroupRow[]>('*');
}

/** Role groups of one source whose name matches (case-insensitively) one of the given group names. */
export async function roleGroupsFor(conn: Conn, orgId: string, source: RoleGroupSource, groupNames: string[]): Promise<RoleGroupRow[]> {
  if (!groupNames.length) return [];
  if (source === 'ldap') return ldapRoleGroupsFor(conn, orgId, groupNames);
  return conn('role_groups')
    .where({ org_id: orgId, source })
    .whereRaw('lower(group_name) = any(?)', [groupNames.map((g) => g.toLowerCase())])
    .select<RoleGroupRow[]>('*');
}

/**
 * LDAP role groups whose DN names one of the given group DNs — the whole DN, compared as
 * RFC 4514/4517 say (src/lib/dn.ts), so `cn=ops` in another OU never matches. An
 * organization has a handful of LDAP role groups: they are compared here, not in SQL,
 * where lower() would fold only ASCII under the C collation.
 */
async function ldapRoleGroupsFor(conn: Conn, orgId: string, groupDns: string[]): Promise<RoleGroupRow[]> {
  const wanted = new Set(groupDns.map(canonicalDn).filter((d): d is string => d !== null));
  if (!wanted.size) return [];
  const rows = await conn('role_groups').where({ org_id: orgId, source: 'ldap' }).select<RoleGroupRow[]>('*');
  return rows.filter((rg) => {
    const dn = canonicalDn(rg.group_name);
    return dn !== null && wanted.has(dn);
  });
}
