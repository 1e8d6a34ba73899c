// The person's identity in the directory: the value of LDAP_ID_ATTRIBUTE — entryUUID
// (RFC 4530; OpenLDAP, 389-ds, OpenDJ) or objectGUID (Active Directory). Never the DN and
// never the username: both are handed to the next person who gets that name, who would
// then sign in to the previous owner's account. An entry without the attribute is refused,
// not keyed on something else (issue 11).
//
// ldapjs decodes every attribute value as UTF-8 text, which destroys a binary value such
// as objectGUID (16 raw bytes: most are not valid UTF-8 and become U+FFFD). So the search
// asks ldapauth-fork for the raw values too (`includeRaw`: the entry's `_raw` holds
// Buffers) and the id is read from the bytes:
//   objectGUID  → the GUID in the string form Active Directory shows and PowerShell's
//                 Get-ADUser prints (e.g. 4a1d0f2c-…): the first three fields are
//                 little-endian in the attribute (MS-DTYP §2.3.4), lower-case hex;
//   a UUID      → lower-case (entryUUID's uuidMatch ignores case);
//   other text  → as the directory sends it;
//   other bytes → "base64:" and the bytes in base64, if they are not UTF-8.

import { UUID } from '../../lib/uuid.ts';

export type RawEntry = Record<string, unknown> & { _raw?: Record<string, unknown> };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function firstRaw(entry: RawEntry, attribute: string): Buffer | null {
  const raw = entry._raw ?? {};
  const key = Object.keys(raw).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const v = key === undefined ? undefined : raw[key];
  const first = Array.isArray(v) ? v[0] : v;
  return Buffer.isBuffer(first) && first.length > 0 ? first : null;
}

/** MS-DTYP §2.3.4.2: Data1 (4 bytes), Data2 and Data3 (2 bytes each) little-endian, Data4 as is. */
export function guidString(bytes: Buffer): string {
  if (bytes.length !== 16) throw new RangeError(`a GUID is 16 bytes, got ${bytes.length}`);
  const hex = (b: Buffer) => b.toString('hex');
  const le = (from: number, to: number) => hex(Buffer.from(bytes.subarray(from, to)).reverse());
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(bytes.subarray(8, 10))}-${hex(bytes.subarray(10, 16))}`;
}

/** The identity value, or null when the entry has no usable value of the attribute. */
export function entryId(entry: RawEntry, attribute: string): string | null {
  const bytes = firstRaw(entry, attribute);
  if (!bytes) return null;
  if (attribute.toLowerCase() === 'objectguid') return bytes.length === 16 ? guidString(bytes) : null;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return `base64:${bytes.toString('base64')}`;
  }
  text = text.trim();
  if (!text) return null;
  return UUID.test(text) ? text.toLowerCase() : text;
}
