import { URN } from '../constants.ts';
import { bool, multi, str, type SchemaDef } from './types.ts';

// Custom roles, shaped as the seed product's SCIM Role API shapes them.
export const roleSchema: SchemaDef = {
  id: URN.role,
  name: 'Role',
  description: 'Custom role of the organization',
  attributes: [
    str('name', { required: true, uniqueness: 'server' }),
    str('description'),
    str('inheritedFrom', { required: true, canonicalValues: ['member', 'viewer'], description: 'The built-in role it extends.' }),
    multi('permissions', [
      str('name', { required: true, caseExact: true }),
      str('description', { mutability: 'readOnly' }),
      bool('isInherited', { mutability: 'readOnly' }),
    ]),
  ],
};
