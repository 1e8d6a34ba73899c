// The seed product's permission names (`object:operation`, e.g. `project:update`, as its
// SCIM /Roles API documents them: platform/hosting/iam/scim, "Create custom role") mapped
// onto the catalog's ids. The catalog keeps its ids (they are stored in custom roles and in
// the audit log); this table is the one place the two vocabularies meet.
//
// The seed reference shows `artifact:read`, `launchagent:read`, `project:read`,
// `project:update`, `project:delete`, `run:read`, `run:stop` and `run:delete`; the other
// names follow the same `object:operation` pattern for the catalog's remaining product
// permissions, so that every permission a custom role can hold or inherit has one name a
// seed-style client can send and read back. `launchagent:read` has no catalog permission
// (orgbridge does not model Launch) and is therefore not here: it is refused by name.
import type { PermissionId } from './catalog.ts';

/**
 * Seed name → catalog id. The first name listed for an id is the one answered
 * (`seedNameForPermission`); later ones are aliases accepted on input.
 */
const SEED_NAMES: ReadonlyArray<readonly [seedName: string, id: PermissionId]> = [
  ['run:read', 'experiments.view'],
  ['project:read', 'experiments.view'], // viewing a project is viewing its runs' metadata
  ['run:create', 'experiments.log'],
  ['run:delete', 'experiments.delete'],
  ['run:stop', 'experiments.stop'],
  ['workspace:update', 'experiments.workspaces.edit'],
  ['project:update', 'projects.visibility.edit'],
  ['project:delete', 'projects.delete'],
  ['report:read', 'reports.view'],
  ['report:create', 'reports.create'],
  ['report:update', 'reports.edit'],
  ['report:delete', 'reports.delete'],
  ['artifact:read', 'artifacts.view'],
  ['artifact:create', 'artifacts.create'],
  ['artifact:delete', 'artifacts.delete'],
  ['artifact:update', 'artifacts.metadata.edit'],
  ['artifact:download', 'artifacts.download'],
  ['artifactalias:update', 'artifacts.aliases.edit'],
  ['artifactalias:delete', 'artifacts.aliases.delete'],
  ['model:read', 'registry.models.view'],
  ['model:create', 'registry.models.add'],
  ['model:download', 'registry.models.download'],
  ['modelalias:create', 'registry.aliases.add'],
  ['registryadmin:update', 'registry.admins.manage'],
  ['protectedalias:update', 'registry.protectedAliases.manage'],
  // The Team Settings row a custom role may add (catalog.ts teamAdmin): not in the seed's
  // reference, named after its pattern.
  ['teammember:create', 'team.members.add'],
];

const TO_ID: ReadonlyMap<string, PermissionId> = new Map(SEED_NAMES.map(([n, id]) => [n, id]));
const TO_NAME: ReadonlyMap<PermissionId, string> = new Map(
  [...SEED_NAMES].reverse().map(([n, id]) => [id, n] as const),
);

/** Every seed name this table knows (for tests and documentation). */
export const SEED_PERMISSION_NAMES: readonly string[] = SEED_NAMES.map(([n]) => n);

/** The catalog id a seed name stands for; names compare case-insensitively (`Run:Stop`). */
export function permissionIdForSeedName(name: string): PermissionId | undefined {
  return TO_ID.get(name.trim().toLowerCase());
}

/** The seed name answered for a catalog id, when the seed product has one. */
export function seedNameForPermission(id: PermissionId): string | undefined {
  return TO_NAME.get(id);
}
