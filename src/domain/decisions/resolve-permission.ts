import { findPermission, type PermissionId } from '../permissions/index.ts';

// LEAD: WIRE AFTER MERGE. The seed's `object:operation` names (e.g. `run:delete`) are
// defined on another branch in src/domain/permissions/seed-names.ts. Once merged, map them
// here (look the alias up there first, then fall back to the catalog id). Until then only
// catalog ids (`experiments.delete`) are accepted; anything else is answered `deny` with
// "unknown permission", never guessed.
/**
 * The catalog permission a decision request names, or undefined when it names none.
 */
export function resolvePermissionName(name: string): PermissionId | undefined {
  return findPermission(name)?.id;
}
