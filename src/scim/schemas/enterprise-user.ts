import { URN } from '../constants.ts';
import { complex, ref, str, type SchemaDef } from './types.ts';

// RFC 7643 §4.3.
export const enterpriseUserSchema: SchemaDef = {
  id: URN.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber'),
    str('costCenter'),
    str('organization'),
    str('division'),
    str('department'),
    complex('manager', [
      str('value'),
      ref('$ref', ['User']),
      str('displayName', { mutability: 'readOnly' }),
    ]),
  ],
};
