import {
  findPermission,
  PERMISSIONS,
  permissionIdForSeedName,
  seedNameForPermission,
  type PermissionId,
} from '../../../domain/permissions/index.ts';
import type { CustomRoleBase } from '../../../domain/permissions/types.ts';
import { invalidValue } from '../../errors.ts';

// A custom role's `permissions` on the wire, as the seed product's /Roles API shapes them:
// `[{name: "project:update", isInherited: false}, …]`. Names are the seed's
// `object:operation` names (seed-names.ts) where it has one, else the catalog id; both
// spellings are accepted on input and mapped once, here.

type Obj = Record<string, unknown>;

/** The catalog id a wire name stands for, or 400 naming it. */
export function permissionIdOf(name: unknown): PermissionId {
  if (typeof name !== 'string' || !name.trim()) throw invalidValue('permissions[].name is required');
  const id = permissionIdForSeedName(name) ?? findPermission(name.trim())?.id;
  if (!id) throw invalidValue(`permissions: "${name}" is not a permission orgbridge knows (neither a seed object:operation name nor a catalog id)`);
  return id;
}

/** The name answered for a catalog id. */
export const wireName = (id: PermissionId): string => seedNameForPermission(id) ?? id;

/** A wire name in the spelling this API answers with, so PATCH values compare with what GET showed. */
export const canonicalName = (name: unknown): string => wireName(permissionIdOf(name));

/**
 * The permissions a role answers with: its base role's (isInherited: true), then the ones
 * added to it (isInherited: false). A permission both inherited and added is listed once,
 * as added: that is what the role stores and what a PUT of the same list keeps.
 */
export function rolePermissions(base: CustomRoleBase, added: readonly string[]): Obj[] {
  const teamRole = base === 'viewer' ? 'view-only' : 'member';
  const own = new Set(added);
  const inherited = PERMISSIONS.filter((p) => p.level === 'team' && p.roles[teamRole] !== 'deny' && !own.has(p.id));
  return [
    ...inherited.map((p) => ({ name: wireName(p.id), description: p.label, isInherited: true })),
    ...added.map((id) => {
      const p = findPermission(id);
      return { name: p ? wireName(p.id) : id, description: p?.label ?? '', isInherited: false };
    }),
  ];
}

/**
 * Rewrites `permissions` elements of a PATCH value into the answered spelling, marked as
 * added: adding `run:stop` to a member-based role (which lists it as inherited, members
 * may stop their own runs) makes it the role's own, not a no-op.
 */
export function canonPermissionList(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((el) => (typeof el === 'object' && el !== null && 'name' in el ? { ...(el as Obj), name: canonicalName((el as Obj).name), isInherited: false } : el));
}
