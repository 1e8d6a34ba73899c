// Distinguished names (RFC 4514), parsed and compared, never as raw strings. The same
// entry comes spelled many ways: slapd hands back `cn=Doe\2C Jane (Ops),…` for an entry
// added as `cn=Doe\, Jane (Ops),…`, Active Directory writes `CN=…,OU=…,DC=…` in
// capitals, and people type a space after each comma.
//
// Two DNs name the same entry (RFC 4517 §4.2.15 distinguishedNameMatch) when they have
// the same RDNs in the same order, and each RDN the same attribute-value assertions in
// any order. Attribute types compare case-insensitively, a short name equal to its OID
// (RFC 4514 §3). Values compare as the usual naming attributes (cn, ou, o, dc, uid, l,
// st, c, street) do — caseIgnoreMatch after RFC 4518 preparation: NFKC, case folded,
// runs of spaces collapsed and outer spaces dropped. Escapes (`\,`, `\2C`, `\\`, and hex
// UTF-8 bytes such as `\C3\A9`) are resolved before comparing. A `#`-prefixed BER value
// compares by its hex bytes. Comparing the whole DN is the point: the first RDN alone
// (`cn=ops`) would match a same-named group anywhere in the directory.

export interface Ava {
  /** Lower-case short name (an OID for a well-known attribute becomes its name). */
  type: string;
  /** The value with escapes resolved; for a `#` value, its lower-case hex digits. */
  value: string;
  /** True for a `#hexstring` (BER-encoded) value. */
  hex: boolean;
}

/** One RDN: usually one assertion, several for a multi-valued RDN (`cn=a+uid=b`). */
export type Rdn = Ava[];

// RFC 4519 attribute OIDs a DN may use instead of the short names.
const OID_NAMES: Record<string, string> = {
  '2.5.4.3': 'cn',
  '2.5.4.6': 'c',
  '2.5.4.7': 'l',
  '2.5.4.8': 'st',
  '2.5.4.9': 'street',
  '2.5.4.10': 'o',
  '2.5.4.11': 'ou',
  '0.9.2342.19200300.100.1.1': 'uid',
  '0.9.2342.19200300.100.1.25': 'dc',
};

const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const isHex = (s: string) => /^[0-9a-fA-F]{2}$/.test(s);

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
  skipSpaces(): void {
    while (this.peek() === ' ') this.i++;
  }
}

function readType(r: Reader): string | null {
  r.skipSpaces();
  const start = r.i;
  while (!r.done && r.peek() !== '=' && r.peek() !== ',' && r.peek() !== '+' && r.peek() !== ';') r.i++;
  if (r.peek() !== '=') return null;
  let type = r.s.slice(start, r.i).trim();
  r.i++; // '='
  if (/^oid\./i.test(type)) type = type.slice(4); // RFC 2253's legacy "OID.2.5.4.3"
  if (!TYPE.test(type)) return null;
  return OID_NAMES[type] ?? type.toLowerCase();
}

/** A string value up to the next unescaped `,` `;` `+` (or a closing quote when quoted). */
function readString(r: Reader, quoted: boolean): string | null {
  const out: string[] = [];
  const bytes: number[] = [];
  let keep = 0; // out[0..keep) survives: unescaped trailing spaces are not part of the value
  const flush = () => {
    if (!bytes.length) return;
    try {
      out.push(UTF8.decode(Uint8Array.from(bytes.splice(0))));
    } catch {
      throw new SyntaxError('escaped bytes are not UTF-8');
    }
    keep = out.length;
  };
  for (;;) {
    if (r.done) {
      if (quoted) return null; // unterminated quote
      break;
    }
    const c = r.peek();
    if (c === '\\') {
      const pair = r.s.slice(r.i + 1, r.i + 3);
      if (isHex(pair)) {
        bytes.push(parseInt(pair, 16));
        r.i += 3;
        continue;
      }
      const next = r.s[r.i + 1];
      if (next === undefined) return null;
      flush();
      out.push(next);
      keep = out.length;
      r.i += 2;
      continue;
    }
    flush();
    if (quoted) {
      r.i++;
      if (c === '"') break;
      out.push(c);
      keep = out.length;
      continue;
    }
    if (c === ',' || c === ';' || c === '+') break;
    if (c === '"') return null; // a quote inside an unquoted value must be escaped
    out.push(c);
    if (c !== ' ') keep = out.length;
    r.i++;
  }
  flush();
  return out.slice(0, quoted ? out.length : keep).join('');
}

/**
 * Splits a DN into RDNs, escapes resolved; null when it is not a DN (a bare name such as
 * `ops`, an empty string, a dangling escape). Spaces around `,` `+` `=` are accepted, as
 * RFC 4514 §4 recommends for input that came from people.
 */
export function parseDn(dn: string): Rdn[] | null {
  const r = new Reader(dn.trim());
  if (r.done) return null;
  const rdns: Rdn[] = [];
  let rdn: Rdn = [];
  try {
    for (;;) {
      const type = readType(r);
      if (!type) return null;
      r.skipSpaces();
      let ava: Ava;
      if (r.peek() === '#') {
        r.i++;
        const start = r.i;
        while (/[0-9a-fA-F]/.test(r.peek())) r.i++;
        const hex = r.s.slice(start, r.i);
        if (!hex.length || hex.length % 2) return null;
        ava = { type, value: hex.toLowerCase(), hex: true };
        r.skipSpaces();
      } else if (r.peek() === '"') {
        r.i++;
        const value = readString(r, true);
        if (value === null) return null;
        ava = { type, value, hex: false };
        r.skipSpaces();
      } else {
        const value = readString(r, false);
        if (value === null) return null;
        ava = { type, value, hex: false };
      }
      rdn.push(ava);
      if (r.done) break;
      const sep = r.peek();
      r.i++;
      if (sep === '+') continue;
      if (sep !== ',' && sep !== ';') return null;
      rdns.push(rdn);
      rdn = [];
    }
  } catch (err: unknown) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
  rdns.push(rdn);
  return rdns;
}

/** RFC 4514 §2.4: the characters a value must escape to be read back as the same value. */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\u0000') out += '\\00';
    else if ('"+,;<>\\'.includes(c)) out += `\\${c}`;
    else if ((i === 0 && (c === '#' || c === ' ')) || (i === value.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** RFC 4518 preparation for caseIgnoreMatch: NFKC, case folded, insignificant spaces gone. */
function prepare(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function render(rdns: Rdn[], prep: (v: string) => string, sort: boolean): string {
  return rdns
    .map((rdn) => {
      const avas = rdn.map((a) => `${a.type}=${a.hex ? `#${a.value}` : escapeDnValue(prep(a.value))}`);
      return (sort ? avas.sort() : avas).join('+');
    })
    .join(',');
}

/**
 * The comparable form of a DN: equal strings ⇔ the same entry under the rules above.
 * Null when the input is not a DN, so that it can never equal anything.
 */
export function canonicalDn(dn: string): string | null {
  const rdns = parseDn(dn);
  return rdns ? render(rdns, prepare, true) : null;
}

/**
 * The DN as written, tidied for storing and showing: types lower-case, spaces around
 * separators gone, escapes in RFC 4514's form; the values' case is kept. Null when the
 * input is not a DN.
 */
export function formatDn(dn: string): string | null {
  const rdns = parseDn(dn);
  return rdns ? render(rdns, (v) => v, false) : null;
}

/** Whether a and b are DNs of the same entry. */
export function sameDn(a: string, b: string): boolean {
  const ca = canonicalDn(a);
  return ca !== null && ca === canonicalDn(b);
}
