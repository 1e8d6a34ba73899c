// The domain's one error type. Each protocol (SCIM, admin API, SSO, CLI) maps it to its
// own wire error in one place; the domain itself knows nothing of HTTP.

export type DomainErrorCode =
  | 'not_found'
  | 'conflict'
  | 'uniqueness'
  | 'last_admin'
  | 'seat_limit'
  | 'invalid'
  | 'forbidden'
  | 'expired';

/** Audit facts of a refusal; written after the rollback so the refusal is on record. */
export interface RefusalAudit {
  orgId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
}

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly refusal?: RefusalAudit,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id?: string) =>
  new DomainError('not_found', id ? `${what} ${id} not found` : `${what} not found`, { what, id });
export const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError('invalid', message, details);
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError('conflict', message, details);
export const forbidden = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError('forbidden', message, details);
export const uniqueness = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError('uniqueness', message, details);

export function isDomainError(err: unknown, code?: DomainErrorCode): err is DomainError {
  return err instanceof DomainError && (code === undefined || err.code === code);
}

/** PostgreSQL unique_violation, as raised by pg and PGlite alike. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23505') return false;
  if (!constraint) return true;
  return e.constraint === constraint || (e.message ?? '').includes(`"${constraint}"`);
}

/**
 * PostgreSQL program_limit_exceeded (54000): a value too large for where it goes, above
 * all an index entry over the btree limit (about 2,700 bytes after compression; userName,
 * emails, display names and external ids are indexed). The request's value, not a fault.
 */
export function isValueTooLarge(err: unknown): boolean {
  return (err as { code?: string })?.code === '54000';
}
