import type { Conn } from '../db/connect.ts';
import { newId } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { invalid, isUniqueViolation, notFound, uniqueness } from './errors.ts';
import type { CustomRoleRow } from './types.ts';

export interface CustomRoleInput {
  name: string;
  description?: string;
  base: 'viewer' | 'member';
  permissions: string[];
  /** The provisioning client's id for the role (SCIM externalId, RFC 7643 §3.1). */
  externalId?: string | null;
}

/** Which permission ids a custom role may add; supplied by the permission catalog. */
export type PermissionCheck = (id: string) => boolean;

/**
 * Names of the built-in team roles (and `viewer`, which SCIM reads as view-only). A custom
 * role named like one could not be told apart from it where roles travel by name (SCIM's
 * teamRoles reads a name as the built-in role first): its holders would become what the
 * name says, not what the role grants.
 */
const BUILT_IN_ROLE_NAMES = new Set(['admin', 'member', 'view-only', 'viewer']);

function checkNotBuiltIn(name: string): void {
  if (BUILT_IN_ROLE_NAMES.has(name.trim().normalize('NFKC').toLowerCase())) {
    throw invalid(`"${name.trim()}" is the name of a built-in role; a custom role needs a name of its own`, { name });
  }
}

function validate(input: Partial<CustomRoleInput>, isCustomizable: PermissionCheck): void {
  if (input.name !== undefined && (!input.name.trim() || input.name.length > 100)) throw invalid('role name must be 1 to 100 characters');
  if (input.base !== undefined && !['viewer', 'member'].includes(input.base)) throw invalid('base must be viewer or member');
  const bad = (input.permissions ?? []).filter((p) => !isCustomizable(p));
  if (bad.length) throw invalid(`not permissions a custom role can hold: ${bad.join(', ')}`, { permissions: bad });
}

export async function getCustomRole(conn: Conn, orgId: string, id: string): Promise<CustomRoleRow> {
  const r = await conn('custom_roles').where({ id, org_id: orgId }).first<CustomRoleRow | undefined>();
  if (!r) throw notFound('custom role', id);
  return r;
}

export async function listCustomRoles(conn: Conn, orgId: string): Promise<CustomRoleRow[]> {
  return conn('custom_roles').where({ org_id: orgId }).orderBy('name').select<CustomRoleRow[]>('*');
}

export async function createCustomRole(tx: Tx, orgId: string, input: CustomRoleInput, isCustomizable: PermissionCheck): Promise<CustomRoleRow> {
  validate(input, isCustomizable);
  checkNotBuiltIn(input.name);
  try {
    const [row] = await tx.trx('custom_roles')
      .insert({
        id: newId(),
        org_id: orgId,
        name: input.name.trim(),
        description: input.description ?? '',
        base: input.base,
        permissions: JSON.stringify([...new Set(input.permissions)].sort()),
        external_id: input.externalId ?? null,
      })
      .returning('*');
    const role = row as CustomRoleRow;
    await audit(tx, { orgId, action: 'custom_role.create', targetType: 'custom_role', targetId: role.id, after: { name: role.name, base: role.base, permissions: role.permissions } });
    return role;
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`a role named "${input.name}" already exists`, { attribute: 'name' });
    throw err;
  }
}

export async function updateCustomRole(tx: Tx, orgId: string, id: string, input: Partial<CustomRoleInput>, isCustomizable: PermissionCheck): Promise<CustomRoleRow> {
  validate(input, isCustomizable);
  const before = await getCustomRole(tx.trx, orgId, id);
  // A role named before the rule keeps its name through other changes; no role takes one.
  if (input.name !== undefined && input.name.trim() !== before.name) checkNotBuiltIn(input.name);
  const patch: Record<string, unknown> = {};
  if (input.name !== undefined) patch.name = input.name.trim();
  if (input.description !== undefined) patch.description = input.description;
  if (input.base !== undefined) patch.base = input.base;
  if (input.permissions !== undefined) patch.permissions = JSON.stringify([...new Set(input.permissions)].sort());
  if (input.externalId !== undefined) patch.external_id = input.externalId;
  try {
    const [row] = await tx.trx('custom_roles').where({ id }).update({ ...patch, updated_at: tx.trx.fn.now() }).returning('*');
    const after = row as CustomRoleRow;
    if (input.base !== undefined && input.base !== before.base) {
      // Holders carry the base in their team role; keep it in step.
      await tx.trx('team_members').where({ custom_role_id: id }).update({ role: after.base === 'viewer' ? 'view-only' : 'member' });
    }
    await audit(tx, {
      orgId,
      action: 'custom_role.update',
      targetType: 'custom_role',
      targetId: id,
      before: { name: before.name, base: before.base, permissions: before.permissions },
      after: { name: after.name, base: after.base, permissions: after.permissions },
    });
    return after;
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`a role named "${input.name}" already exists`, { attribute: 'name' });
    throw err;
  }
}

/** Deleting a custom role returns its holders to its base role (SPEC §1). */
export async function deleteCustomRole(tx: Tx, orgId: string, id: string): Promise<number> {
  const before = await getCustomRole(tx.trx, orgId, id);
  const holders = await tx.trx('team_members')
    .where({ custom_role_id: id })
    .update({ custom_role_id: null, role: before.base === 'viewer' ? 'view-only' : 'member' });
  await tx.trx('memberships').where({ custom_role_id: id }).update({ custom_role_id: null });
  await tx.trx('custom_roles').where({ id }).delete();
  await audit(tx, { orgId, action: 'custom_role.delete', targetType: 'custom_role', targetId: id, before: { name: before.name, base: before.base, permissions: before.permissions, holders } });
  return holders;
}
