import { describe, expect, it } from 'vitest';
import { CUSTOMIZABLE_PERMISSIONS, PERMISSIONS, isPermissionId } from '../../src/domain/permissions/index.ts';
import { permissionIdForSeedName, SEED_PERMISSION_NAMES, seedNameForPermission } from '../../src/domain/permissions/seed-names.ts';

describe('seed permission names (object:operation) → catalog ids', () => {
  it('every seed name maps to a catalog permission, and back to a seed name for the same id', () => {
    expect(SEED_PERMISSION_NAMES.length).toBeGreaterThan(20);
    for (const name of SEED_PERMISSION_NAMES) {
      expect(name, name).toMatch(/^[a-z]+:[a-z]+$/);
      const id = permissionIdForSeedName(name);
      expect(id && isPermissionId(id), name).toBe(true);
      expect(permissionIdForSeedName(seedNameForPermission(id!)!), name).toBe(id);
    }
  });

  it('maps the names the seed reference uses, as the seed means them', () => {
    expect(permissionIdForSeedName('artifact:read')).toBe('artifacts.view');
    expect(permissionIdForSeedName('project:update')).toBe('projects.visibility.edit');
    expect(permissionIdForSeedName('project:delete')).toBe('projects.delete');
    expect(permissionIdForSeedName('run:stop')).toBe('experiments.stop');
    expect(permissionIdForSeedName('run:read')).toBe('experiments.view');
    expect(permissionIdForSeedName('project:read')).toBe('experiments.view');
    expect(permissionIdForSeedName(' Run:Stop ')).toBe('experiments.stop');
    // run:read is the name answered for experiments.view; project:read is an alias.
    expect(seedNameForPermission('experiments.view')).toBe('run:read');
    // Launch is not modelled: no catalog permission, no mapping (refused by name over SCIM).
    expect(permissionIdForSeedName('launchagent:read')).toBeUndefined();
  });

  it('every team-level product permission (what a custom role holds or inherits) has a seed name', () => {
    const unnamed = PERMISSIONS.filter((p) => p.level === 'team' && p.area !== 'team' && seedNameForPermission(p.id) === undefined).map((p) => p.id);
    expect(unnamed).toEqual([]);
    for (const id of CUSTOMIZABLE_PERMISSIONS) expect(seedNameForPermission(id), id).toBeDefined();
  });

  it('never names an organization or system permission', () => {
    for (const name of SEED_PERMISSION_NAMES) {
      const p = PERMISSIONS.find((x) => x.id === permissionIdForSeedName(name))!;
      expect([name, p.level]).toEqual([name, 'team']);
    }
  });
});
