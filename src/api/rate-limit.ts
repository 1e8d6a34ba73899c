import type { RequestHandler } from 'express';
import type { AppDeps } from '../http/deps.ts';
import { requestLimits } from '../http/rate-limit/request-limits.ts';
import { ApiError } from './errors.ts';

// The admin API's request limits (RATE_LIMIT_API_*): 429 with Retry-After, code rate_limited.
export function apiRateLimits(deps: AppDeps): RequestHandler[] {
  const { rateLimit } = deps.config;
  return requestLimits(
    deps.db,
    deps.logger,
    'api',
    rateLimit.api,
    rateLimit,
    (seconds, which) => new ApiError(429, 'rate_limited', `Too many requests from this ${which === 'token' ? 'credential' : 'address'}; retry after ${seconds} s.`, { retryAfterSeconds: seconds }),
    deps.now,
  ).middleware;
}
