import { URN } from '../constants.ts';
import { multi, str, type SchemaDef } from './types.ts';

// orgbridge's extension (SPEC §4): what the membership in this organization grants.
export const orgbridgeUserSchema: SchemaDef = {
  id: URN.orgbridgeUser,
  name: 'OrgbridgeUser',
  description: "The user's role, seats, team roles and registry roles in this organization",
  attributes: [
    str('organizationRole', { canonicalValues: ['admin', 'member', 'viewer'], description: 'Organization role; taking the last active admin away is refused (409).', alwaysValued: true }),
    str('modelsSeat', { canonicalValues: ['full', 'viewer', 'none'], description: 'Models seat, within the seat license.', alwaysValued: true }),
    str('weaveAccess', { canonicalValues: ['full', 'viewer', 'none'], description: 'Weave access (the seed product calls it weaveRole).', alwaysValued: true }),
    multi(
      'teamRoles',
      [
        str('team', { required: true, description: 'Team name (or id).' }),
        str('teamId', { caseExact: true, mutability: 'readOnly' }),
        str('role', { required: true, description: 'admin, member, view-only, or a custom role name.' }),
      ],
      { description: 'Roles in teams; setting one for a team the user is not in adds them to it.' },
    ),
    // The seed's `registryRoles: [{registryName, roleName}]`; `registryName`/`roleName` are
    // accepted as aliases of `registry`/`role` (seed-dialect.ts), as teamRoles' are.
    multi(
      'registryRoles',
      [
        str('registry', { required: true, description: 'Registry name (compared case-insensitively), in this organization.' }),
        str('registryId', { caseExact: true, mutability: 'readOnly' }),
        str('role', { required: true, canonicalValues: ['admin', 'member', 'viewer'], description: 'Registry role.' }),
      ],
      { description: "The user's own registry roles (roles held through a team are not listed); a registry not named keeps no role of this user." },
    ),
  ],
};
