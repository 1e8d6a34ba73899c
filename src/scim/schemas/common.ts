import { complex, dateTime, ref, str, type AttributeDef } from './types.ts';

/** id, externalId and meta: on every resource, outside any schema (RFC 7643 §3.1). */
export const COMMON_ATTRIBUTES: AttributeDef[] = [
  str('id', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server', description: 'Unique identifier issued by orgbridge.' }),
  str('externalId', { caseExact: true, description: "The provisioning client's identifier for the resource." }),
  complex(
    'meta',
    [
      str('resourceType', { caseExact: true, mutability: 'readOnly' }),
      dateTime('created', { mutability: 'readOnly' }),
      dateTime('lastModified', { mutability: 'readOnly' }),
      ref('location', ['uri'], { caseExact: true, mutability: 'readOnly' }),
      str('version', { caseExact: true, mutability: 'readOnly' }),
    ],
    { mutability: 'readOnly' },
  ),
];
