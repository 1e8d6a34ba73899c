import type { Conn } from '../db/connect.ts';
import { newId } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { invalid, isUniqueViolation, notFound, uniqueness } from './errors.ts';

// Registries (the seed's Model Registry) the platform registers. Visibility:
//   organization  every active member of the organization may view; roles add more
//   restricted    only people holding a registry role (themselves or through a team)
// Registry roles admin / member / viewer answer the Model Registry table's columns
// Team Admin (seeds/003 "Model Registry Admin") / Team Member / View-Only. The seed's SCIM
// dialect sets them on a user as `registryRoles: [{registryName, roleName}]`.

export const REGISTRY_VISIBILITIES = ['organization', 'restricted'] as const;
export type RegistryVisibility = (typeof REGISTRY_VISIBILITIES)[number];
export const REGISTRY_ROLES = ['admin', 'member', 'viewer'] as const;
export type RegistryRole = (typeof REGISTRY_ROLES)[number];

export interface RegistryRow {
  id: string;
  org_id: string;
  name: string;
  visibility: RegistryVisibility;
  created_at: Date;
  updated_at: Date;
}

export interface RegistryRoleRow {
  registry_id: string;
  user_id: string | null;
  team_id: string | null;
  role: RegistryRole;
}

export function isRegistryRole(s: string): s is RegistryRole {
  return (REGISTRY_ROLES as readonly string[]).includes(s);
}

export async function getRegistry(conn: Conn, orgId: string, id: string): Promise<RegistryRow> {
  const row = await conn('registries').where({ id, org_id: orgId }).first<RegistryRow | undefined>();
  if (!row) throw notFound('registry', id);
  return row;
}

export async function listRegistries(conn: Conn, orgId: string): Promise<RegistryRow[]> {
  return conn('registries').where({ org_id: orgId }).orderBy('name_key');
}

export async function listRegistryRoles(conn: Conn, registryIds: string[]): Promise<RegistryRoleRow[]> {
  if (!registryIds.length) return [];
  return conn('registry_roles').whereIn('registry_id', registryIds).orderBy(['registry_id', 'role']);
}

/**
 * A person's own registry roles are part of how SCIM shows them (the orgbridge extension's
 * `registryRoles`, with the registry's name), so a change to them, or to the name, is a new
 * version of the membership: ETags change and If-Match sees it (RFC 7644 §3.14).
 */
async function touchHolders(tx: Tx, orgId: string, who: { userId: string } | { registryId: string }): Promise<void> {
  const ids = 'userId' in who ? [who.userId] : tx.trx('registry_roles').where({ registry_id: who.registryId }).whereNotNull('user_id').select('user_id');
  await tx.trx('memberships').where({ org_id: orgId }).whereIn('user_id', ids).update({ version: tx.trx.raw('version + 1') });
}

export async function createRegistry(tx: Tx, orgId: string, input: { name: string; visibility?: RegistryVisibility }): Promise<RegistryRow> {
  const name = input.name.trim();
  if (!name) throw invalid('registry name is required');
  const visibility = input.visibility ?? 'organization';
  try {
    const [row] = await tx.trx('registries').insert({ id: newId(), org_id: orgId, name, visibility }).returning('*');
    await audit(tx, { orgId, action: 'registry.create', targetType: 'registry', targetId: row.id, after: { name, visibility } });
    return row as RegistryRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err, 'registries_name')) throw uniqueness(`organization already has a registry named "${name}"`);
    throw err;
  }
}

export async function updateRegistry(tx: Tx, orgId: string, id: string, change: { name?: string; visibility?: RegistryVisibility }): Promise<RegistryRow> {
  const before = await tx.trx('registries').where({ id, org_id: orgId }).forUpdate().first<RegistryRow | undefined>();
  if (!before) throw notFound('registry', id);
  const patch: Record<string, unknown> = {};
  if (change.name !== undefined) {
    if (!change.name.trim()) throw invalid('registry name is required');
    patch.name = change.name.trim();
  }
  if (change.visibility !== undefined) patch.visibility = change.visibility;
  if (!Object.keys(patch).length) return before;
  try {
    const [row] = await tx.trx('registries').where({ id }).update({ ...patch, updated_at: tx.trx.fn.now() }).returning('*');
    if (patch.name !== undefined && patch.name !== before.name) await touchHolders(tx, orgId, { registryId: id });
    await audit(tx, { orgId, action: 'registry.update', targetType: 'registry', targetId: id, before: { name: before.name, visibility: before.visibility }, after: { name: row.name, visibility: row.visibility } });
    return row as RegistryRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err, 'registries_name')) throw uniqueness(`organization already has a registry named "${String(patch.name)}"`);
    throw err;
  }
}

export async function deleteRegistry(tx: Tx, orgId: string, id: string): Promise<void> {
  await touchHolders(tx, orgId, { registryId: id });
  const n = await tx.trx('registries').where({ id, org_id: orgId }).delete();
  if (!n) throw notFound('registry', id);
  await audit(tx, { orgId, action: 'registry.delete', targetType: 'registry', targetId: id });
}

export type RegistryHolder = { memberId: string } | { teamId: string };

/** Gives a person (member record) or a team a role in the registry; null takes it away. */
export async function setRegistryRole(tx: Tx, orgId: string, registryId: string, holder: RegistryHolder, role: RegistryRole | null): Promise<void> {
  await getRegistry(tx.trx, orgId, registryId);
  const column = 'memberId' in holder ? 'user_id' : 'team_id';
  const holderId = 'memberId' in holder ? holder.memberId : holder.teamId;
  const owner = await tx.trx('memberId' in holder ? 'users' : 'teams').where({ id: holderId, org_id: orgId }).first('id');
  if (!owner) throw notFound('memberId' in holder ? 'member' : 'team', holderId);
  const before = await tx.trx('registry_roles').where({ registry_id: registryId, [column]: holderId }).first<RegistryRoleRow | undefined>();
  if (role === null) {
    if (!before) throw notFound('registry role', holderId);
    await tx.trx('registry_roles').where({ registry_id: registryId, [column]: holderId }).delete();
  } else if (before) {
    await tx.trx('registry_roles').where({ registry_id: registryId, [column]: holderId }).update({ role });
  } else {
    await tx.trx('registry_roles').insert({ registry_id: registryId, [column]: holderId, role });
  }
  if ('memberId' in holder) await touchHolders(tx, orgId, { userId: holderId });
  const who = 'memberId' in holder ? { member: holderId } : { team: holderId };
  await audit(tx, { orgId, action: 'registry.role', targetType: 'registry', targetId: registryId, before: before ? { ...who, role: before.role } : undefined, after: role ? { ...who, role } : undefined });
}

/**
 * SCIM's `registryRoles` for one member record (the seed's SCIM dialect:
 * `[{"registryName", "roleName"}]`): the complete list of the person's own registry roles
 * (roles held through a team are not touched). Registries are named case-insensitively;
 * an unknown registry or role is refused, never dropped.
 */
export async function setRegistryRoles(tx: Tx, orgId: string, recordId: string, roles: { registryName: string; roleName: string }[]): Promise<void> {
  const record = await tx.trx('users').where({ id: recordId, org_id: orgId }).first('id');
  if (!record) throw notFound('member', recordId);
  const wanted = new Map<string, RegistryRole>();
  const registries = await listRegistries(tx.trx, orgId);
  const byName = new Map(registries.map((r) => [r.name.normalize('NFKC').toLowerCase(), r]));
  for (const { registryName, roleName } of roles) {
    const reg = byName.get(String(registryName ?? '').normalize('NFKC').toLowerCase());
    if (!reg) throw invalid(`no registry named "${registryName}"`, { registryName });
    const role = String(roleName ?? '').toLowerCase();
    if (!isRegistryRole(role)) throw invalid(`registry role must be one of ${REGISTRY_ROLES.join(', ')}`, { roleName });
    if (wanted.has(reg.id) && wanted.get(reg.id) !== role) throw invalid(`two roles given for registry "${reg.name}"`, { registryName });
    wanted.set(reg.id, role);
  }
  const held = (await tx.trx('registry_roles').where({ user_id: recordId })) as RegistryRoleRow[];
  for (const h of held) {
    if (!wanted.has(h.registry_id)) await setRegistryRole(tx, orgId, h.registry_id, { memberId: recordId }, null);
  }
  for (const [registryId, role] of wanted) {
    if (held.find((h) => h.registry_id === registryId)?.role !== role) await setRegistryRole(tx, orgId, registryId, { memberId: recordId }, role);
  }
}
