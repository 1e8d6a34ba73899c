import { URN } from '../constants.ts';
import { bool, complex, multi, multiValuedSubs, ref, str, type SchemaDef } from './types.ts';

// RFC 7643 §4.1. What orgbridge stores in columns (userName, name parts, displayName,
// emails, …) and what it keeps as given in the person's profile (phoneNumbers,
// addresses, …) is the users resource's business; the schema only says what is valid.
export const userSchema: SchemaDef = {
  id: URN.user,
  name: 'User',
  description: 'User Account',
  attributes: [
    str('userName', { required: true, uniqueness: 'server', description: 'Unique identifier for the User; compared case-insensitively (NFKC + lower-case).' }),
    complex('name', [
      str('formatted'),
      str('familyName'),
      str('givenName'),
      str('middleName'),
      str('honorificPrefix'),
      str('honorificSuffix'),
    ]),
    str('displayName'),
    str('nickName'),
    ref('profileUrl', ['external']),
    str('title'),
    str('userType'),
    str('preferredLanguage'),
    str('locale'),
    str('timezone'),
    bool('active', { description: 'false deactivates the membership: sessions and API keys end, the seat is freed, roles are kept.', alwaysValued: true }),
    str('password', { mutability: 'writeOnly', returned: 'never', description: 'Not stored: sign-in is through SSO only.' }),
    multi('emails', multiValuedSubs('string', ['work', 'home', 'other'])),
    multi('phoneNumbers', multiValuedSubs('string', ['work', 'home', 'mobile', 'fax', 'pager', 'other'])),
    multi('ims', multiValuedSubs('string', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'])),
    multi('photos', multiValuedSubs('reference', ['photo', 'thumbnail'], ['external'])),
    multi('addresses', [
      str('formatted'),
      str('streetAddress'),
      str('locality'),
      str('region'),
      str('postalCode'),
      str('country'),
      str('type', { canonicalValues: ['work', 'home', 'other'] }),
      bool('primary'),
    ]),
    multi(
      'groups',
      [
        str('value', { mutability: 'readOnly' }),
        ref('$ref', ['User', 'Group'], { mutability: 'readOnly' }),
        str('display', { mutability: 'readOnly' }),
        str('type', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ],
      { mutability: 'readOnly', description: 'Teams the user belongs to; changed through /Groups.' },
    ),
    multi('entitlements', multiValuedSubs()),
    multi('roles', multiValuedSubs()),
    multi('x509Certificates', multiValuedSubs('binary')),
  ],
};
