import { invalid } from './errors.ts';

// Domain names as orgbridge compares them: lower case, no trailing dot, letters, digits
// and inner hyphens, at least two labels. Pure functions, so the configuration can use
// them too.

export const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export function normalizeDomain(input: string): string {
  const d = input.trim().toLowerCase().replace(/\.$/, '');
  if (!DOMAIN_RE.test(d)) throw invalid(`"${input}" is not a domain name`, { domain: input });
  return d;
}

/**
 * The domain part of an address, compared exactly: x@sub.acme.example is not
 * acme.example, nor is x@acme.example.evil. Returns null for anything that is not a
 * plain addr-spec with one @.
 */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at <= 0 || email.indexOf('@') !== at) return null;
  const domain = email.slice(at + 1).trim().toLowerCase();
  return DOMAIN_RE.test(domain) ? domain : null;
}
