export {
  PERMISSIONS,
  WRITE_PERMISSIONS,
  CUSTOMIZABLE_PERMISSIONS,
  isPermissionId,
  getPermission,
  findPermission,
} from './catalog.ts';
export type { Permission, PermissionArea, PermissionDef, PermissionId } from './catalog.ts';
export { can } from './can.ts';
export type * from './types.ts';
export { permissionIdForSeedName, seedNameForPermission, SEED_PERMISSION_NAMES } from './seed-names.ts';
