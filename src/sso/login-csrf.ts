import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

// Login CSRF (OWASP "login CSRF"): without it, another site could post its own
// credentials to our LDAP form and sign the victim's browser into the attacker's account.
// There is no session before sign-in, so the form carries a double-submit token: a random
// value in a SameSite=Strict, HttpOnly cookie scoped to the form's path, and the same
// value in a hidden field. A cross-site post carries neither the cookie nor the value.

const COOKIE = 'orgbridge.login_csrf';
const PATH = '/auth/ldap';

export function issueLoginCsrf(res: Response, secure: boolean): string {
  const token = randomBytes(32).toString('base64url');
  res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: PATH, maxAge: 3600_000 });
  return token;
}

function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function validLoginCsrf(req: Request, submitted: unknown): boolean {
  const cookie = cookieValue(req, COOKIE);
  if (!cookie || typeof submitted !== 'string') return false;
  const a = Buffer.from(cookie);
  const b = Buffer.from(submitted);
  return a.length === b.length && a.length >= 32 && timingSafeEqual(a, b);
}
