// What PostgreSQL cannot store in text: U+0000 (text is NUL-terminated; "invalid byte
// sequence for encoding UTF8: 0x00") and a lone UTF-16 surrogate (U+D800–U+DFFF alone has
// no UTF-8 form; JSON.parse('"\ud800"') makes one). Such strings are refused where
// requests enter (SCIM body and filter, admin API), never sent to SQL to fail as a 500.

// String.prototype.isWellFormed (no lone surrogate; Node 20, ES2024 — past this project's
// lib, hence the cast) answers in constant time for the one-byte strings most input is.
const wellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** Whether PostgreSQL can store `s` in a text column. */
export const isStorableText = (s: string): boolean => !s.includes('\u0000') && wellFormed(s);

/** The path (innermost first) to the first unstorable string or key, or null; no strings built on the way. */
function find(value: unknown): (string | number)[] | null {
  if (typeof value === 'string') return isStorableText(value) ? null : [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = find(value[i]);
      if (found) return (found.push(i), found);
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      if (!isStorableText(k)) return ['(a key)'];
      const found = find((value as Record<string, unknown>)[k]);
      if (found) return (found.push(k), found);
    }
  }
  return null;
}

/**
 * The location of the first string (value or object key) in a JSON value that PostgreSQL
 * cannot store, as a dotted path ("name.givenName", "emails[0].type"), or null.
 * The path names where, never the content (which may be a secret or garbage).
 */
export function unstorableIn(value: unknown, at = ''): string | null {
  const found = find(value);
  if (!found) return null;
  const path = found.reverse().reduce<string>((p, seg) => (typeof seg === 'number' ? `${p}[${seg}]` : p ? `${p}.${seg}` : seg), at);
  return path || '(value)';
}

// A JSON escape in a quoted filter literal: \uXXXX, or any other escaped character (so
// that "\\u0000", an escaped backslash then "u0000", is not read as an escape).
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|[^])/g;

/**
 * Whether a SCIM filter's text, once its string literals are decoded (RFC 7644 §3.4.2.2:
 * values are JSON strings, so "\u0000" is an escaped NUL), holds only storable strings.
 * Escapes are decoded over the whole text: outside literals the grammar refuses a
 * backslash anyway.
 */
export function isStorableFilter(text: string): boolean {
  if (!isStorableText(text)) return false;
  if (!text.includes('\\')) return true;
  return isStorableText(text.replace(ESCAPE, (_m, hex: string | undefined) => (hex === undefined ? '_' : String.fromCharCode(parseInt(hex, 16)))));
}
