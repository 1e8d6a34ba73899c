import { preconditionFailed } from './errors.ts';

// Weak ETags (RFC 7644 §3.14) from row versions; If-Match is checked before any change.

export const weakEtag = (v: string | number) => `W/"${v}"`;

function tags(header: string): string[] {
  return header.split(',').map((t) => t.trim()).filter(Boolean);
}

/** Throws 412 when If-Match is present and names neither * nor the current version. */
export function checkIfMatch(current: string, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch === '') return;
  const strip = (t: string) => t.replace(/^W\//, '');
  const ok = tags(ifMatch).some((t) => t === '*' || strip(t) === strip(current));
  if (!ok) throw preconditionFailed(`If-Match ${ifMatch} does not match the current version ${current}`);
}

/** True when If-None-Match names the current version (→ 304 on GET). */
export function matchesIfNoneMatch(current: string, header: string | undefined): boolean {
  if (!header) return false;
  const strip = (t: string) => t.replace(/^W\//, '');
  return tags(header).some((t) => t === '*' || strip(t) === strip(current));
}
