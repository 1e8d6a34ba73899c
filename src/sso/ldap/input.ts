import { z } from 'zod';

// The LDAP sign-in form, checked before anything reaches the directory: strings only
// (a repeated field arrives as an array and is refused), no filter metacharacters in the
// username, and no empty or whitespace-only password — an LDAP simple bind with a DN and
// no password is an unauthenticated bind, which some servers answer with "success".

const FILTER_SPECIALS = /[*()\\\u0000]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export const ldapLoginForm = z.object({
  username: z
    .string({ error: 'Enter your username.' })
    .trim()
    .min(1, 'Enter your username.')
    .max(256, 'That username is too long.')
    .refine((u) => !FILTER_SPECIALS.test(u) && !CONTROL.test(u), 'That username contains characters that are not allowed.'),
  password: z
    .string({ error: 'Enter your password.' })
    .max(1024, 'That password is too long.')
    .refine((p) => p.trim() !== '', 'Enter your password.'),
  returnTo: z.string().optional(),
  csrf: z.string().max(128).optional(),
});

export type LdapLoginForm = z.infer<typeof ldapLoginForm>;

/** RFC 4515 §3: escape a value for use inside a search filter. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    if (ch === '*' || ch === '(' || ch === ')' || ch === '\\' || ch === '\u0000') {
      out += `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    } else out += ch;
  }
  return out;
}

/** The configured filter with {{username}} replaced by the escaped username. */
export function userFilter(template: string, username: string): string {
  const escaped = escapeFilterValue(username);
  return template.replace(/\{\{username\}\}/g, () => escaped);
}
