import { URN } from '../constants.ts';
import { multi, ref, str, type SchemaDef } from './types.ts';

// RFC 7643 §4.2. A Group is a team.
export const groupSchema: SchemaDef = {
  id: URN.group,
  name: 'Group',
  description: 'Group (an orgbridge team)',
  attributes: [
    str('displayName', { required: true, uniqueness: 'server', description: 'Team name, unique in the organization (case-insensitively).' }),
    multi('members', [
      str('value', { mutability: 'immutable', caseExact: true }),
      ref('$ref', ['User'], { mutability: 'immutable' }),
      str('display', { mutability: 'readOnly' }),
      str('type', { mutability: 'immutable', canonicalValues: ['User'] }),
    ]),
  ],
};
