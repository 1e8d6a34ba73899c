import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { DomainError, isValueTooLarge, type DomainErrorCode } from '../domain/errors.ts';
import { sayNotFound } from './wording.ts';

// The admin API's one error type and its one renderer. Every refusal becomes
// `{error: {code, message, details?}}` with a stable code; only unknown failures are 500
// (logged with their cause, never shown).

export type ApiErrorCode =
  | DomainErrorCode
  | 'bad_request'
  | 'unauthenticated'
  | 'csrf'
  | 'rate_limited'
  | 'internal';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly expose: boolean;
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.expose = status < 500;
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) => new ApiError(400, 'bad_request', message, details);
export const unauthenticated = (message = 'Sign in, or send an admin API key as a Bearer token.') => new ApiError(401, 'unauthenticated', message);
export const forbidden = (message: string, details?: Record<string, unknown>) => new ApiError(403, 'forbidden', message, details);
export const csrfRefused = () =>
  new ApiError(403, 'csrf', 'Missing or wrong X-CSRF-Token header: writes with a session cookie must send the token from GET /api/v1/me.');
/** `ref`: what the person typed to name it, said back to them ("No member with the email or username “x”."). */
export const notFound = (what: string, ref?: string) => new ApiError(404, 'not_found', sayNotFound(what, ref), ref === undefined ? undefined : { what, ref });
/** Each issue's message is already a sentence naming the field as the form labels it (wording.ts). */
export const validationFailed = (issues: { path: string; message: string }[]) =>
  new ApiError(422, 'invalid', [...new Set(issues.map((i) => i.message))].join(' '), { issues });

const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  not_found: 404,
  invalid: 422,
  uniqueness: 409,
  conflict: 409,
  last_admin: 409,
  seat_limit: 409,
  forbidden: 403,
  expired: 410,
};

function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof DomainError) {
    const details = Object.keys(err.details).length ? err.details : undefined;
    // The domain names what is missing; a person reads "No such team.", not "team <uuid> not found".
    // Other domain refusals are already written for people and pass as they are.
    const message = err.code === 'not_found' && typeof err.details.what === 'string' ? sayNotFound(err.details.what) : err.message;
    return new ApiError(DOMAIN_STATUS[err.code], err.code, message, details);
  }
  // Within the API's length limits a value can still exceed an index entry's ~2,700 bytes
  // (4-byte characters): the request's value, not a fault of ours.
  if (isValueTooLarge(err)) return new ApiError(422, 'invalid', 'A value is too long to be stored: shorten it.');
  // body-parser (malformed JSON, body too large) marks client errors with a 4xx status.
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, 'bad_request', (err as Error).message);
  }
  return null;
}

export const renderApiError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const known = toApiError(err);
  if (known && known.expose) {
    if (known.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="orgbridge-admin"');
    res.status(known.status).json({ error: { code: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) } });
    return;
  }
  req.log.error({ err }, 'admin API: unhandled error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
};

/** The body of every refusal, as the API description states it (openapi/document.ts). */
export const apiErrorBody = z
  .object({
    error: z
      .object({
        code: z.enum(['not_found', 'conflict', 'uniqueness', 'last_admin', 'seat_limit', 'invalid', 'forbidden', 'expired', 'bad_request', 'unauthenticated', 'csrf', 'rate_limited', 'internal'] satisfies ApiErrorCode[]),
        message: z.string().meta({ description: 'Said for people: it names the field or the thing as the dashboard does.' }),
        details: z.record(z.string(), z.unknown()).optional().meta({ description: 'Machine-readable particulars (validation issues, what was not found).' }),
      })
      .strict(),
  })
  .strict();
