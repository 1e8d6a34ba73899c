import { findPermission, permissionIdForSeedName, type PermissionId } from '../permissions/index.ts';

// A decision request may name a permission by its catalog id (`experiments.delete`) or by
// the seed product's `object:operation` name (`run:delete`), mapped in one place
// (permissions/seed-names.ts). Anything else is answered `deny` with "unknown permission",
// never guessed.
/**
 * The catalog permission a decision request names, or undefined when it names none.
 */
export function resolvePermissionName(name: string): PermissionId | undefined {
  return findPermission(name)?.id ?? permissionIdForSeedName(name);
}
