import type { RequestHandler } from 'express';
import type { AppDeps } from '../../http/deps.ts';
import { requestLimits } from '../../http/rate-limit/request-limits.ts';
import { ScimError } from '../errors.ts';

// SCIM's request limits (RATE_LIMIT_SCIM_*): 429 with Retry-After and a SCIM error body
// (RFC 7644 §3.12 lets any HTTP status carry one; no scimType fits).
export function scimRateLimits(deps: AppDeps): RequestHandler[] {
  const { rateLimit } = deps.config;
  return requestLimits(
    deps.db,
    deps.logger,
    'scim',
    rateLimit.scim,
    rateLimit,
    (seconds, which) => new ScimError(429, null, `too many requests from this ${which}; retry after ${seconds} s`, { 'Retry-After': String(seconds) }),
    deps.now,
  ).middleware;
}
