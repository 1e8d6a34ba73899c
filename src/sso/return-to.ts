// Where to send someone after sign-in: only a path on our own origin. Anything else —
// protocol-relative (`//evil.example`), backslash tricks (`/\evil.example`), absolute
// URLs with or without credentials (`https://a@evil.example`), control characters, and
// percent-encoded forms of all of these — falls back to the default.

const MAX_LENGTH = 2048;
/** Every sign-in ends on the dashboard unless returnTo names another allowed place. */
const DEFAULT = '/admin';

function decodedForms(value: string): string[] {
  const forms = [value];
  let cur = value;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(cur);
    } catch {
      return forms.concat('\u0000'); // undecodable: treat as unsafe
    }
    if (next === cur) break;
    forms.push(next);
    cur = next;
  }
  return forms;
}

function unsafe(form: string): boolean {
  return (
    !form.startsWith('/') ||
    form.startsWith('//') ||
    form.includes('\\') ||
    /[\u0000-\u001f\u007f]/.test(form)
  );
}

/**
 * The same-origin path to return to, or null when `value` is not one. `publicUrl` is the
 * deployment's own origin; the result is always a path (`/x?y#z`), never an absolute URL.
 */
export function safeReturnTo(value: unknown, publicUrl: string): string | null {
  if (typeof value !== 'string' || value === '' || value.length > MAX_LENGTH) return null;
  if (decodedForms(value).some(unsafe)) return null;
  const base = new URL(publicUrl);
  let parsed: URL;
  try {
    parsed = new URL(value, base);
  } catch {
    return null;
  }
  if (parsed.origin !== base.origin || parsed.username || parsed.password) return null;
  // Dot segments resolve away: "/.//evil.example" is the path "//evil.example", which a
  // browser reads as another host. What is returned must pass the same checks.
  const path = parsed.pathname + parsed.search + parsed.hash;
  return unsafe(path) ? null : path;
}

export function returnToOrDefault(value: unknown, publicUrl: string): string {
  return safeReturnTo(value, publicUrl) ?? DEFAULT;
}
