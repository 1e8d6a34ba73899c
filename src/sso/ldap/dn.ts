// Just enough of RFC 4514 to compare group DNs and take their first value: slapd hands
// back `cn=Doe\2C Jane (Ops),…` for an entry added as `cn=Doe\, Jane (Ops),…`, so DNs are
// compared parsed, never as raw strings.

export interface Rdn {
  type: string;
  value: string;
}

function unescapeValue(raw: string): string {
  const bytes: number[] = [];
  const out: string[] = [];
  const flush = () => {
    if (bytes.length) out.push(Buffer.from(bytes.splice(0)).toString('utf8'));
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const hex = raw.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
      flush();
      out.push(raw[i + 1]!);
      i += 1;
      continue;
    }
    flush();
    out.push(c);
  }
  flush();
  return out.join('');
}

/** Splits a DN into RDNs (multi-valued RDNs are kept as one value). Null when malformed. */
export function parseDn(dn: string): Rdn[] | null {
  const rdns: Rdn[] = [];
  let cur = '';
  const parts: string[] = [];
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\') {
      cur += c + (dn[i + 1] ?? '');
      i += 1;
    } else if (c === ',' || c === ';') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const type = part.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z][a-z0-9-]*$|^[0-9.]+$/.test(type)) return null;
    rdns.push({ type, value: unescapeValue(part.slice(eq + 1).trim()) });
  }
  return rdns;
}

/** A comparable form: types and values lower-cased, escapes resolved. */
export function canonicalDn(dn: string): string {
  const rdns = parseDn(dn);
  if (!rdns) return dn.trim().toLowerCase();
  return rdns.map((r) => `${r.type}=${r.value.toLowerCase()}`).join(',');
}

/** The group's name: the value of its first RDN (`cn=ops,ou=groups,…` → `ops`). */
export function groupName(dnOrName: string): string {
  const rdns = parseDn(dnOrName);
  return rdns && rdns.length ? rdns[0]!.value : dnOrName.trim();
}
