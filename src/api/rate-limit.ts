import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../http/deps.ts';
import { requestLimits } from '../http/rate-limit/request-limits.ts';
import { ApiError } from './errors.ts';

// The admin API's request limits (RATE_LIMIT_API_*): 429 with Retry-After, code rate_limited.
// The decision API counts apart (RATE_LIMIT_DECISIONS_*): the platform asks on every action
// it gates, at a rate no person at the admin API reaches, and the admin limits must not
// throttle it (nor its traffic use up a person's).
export function apiRateLimits(deps: AppDeps): RequestHandler {
  const { rateLimit } = deps.config;
  const refuse = (seconds: number, which: 'token' | 'address') =>
    new ApiError(429, 'rate_limited', `Too many requests from this ${which === 'token' ? 'credential' : 'address'}; retry after ${seconds} s.`, { retryAfterSeconds: seconds });
  const api = Router();
  api.use(...requestLimits(deps.db, deps.logger, 'api', rateLimit.api, rateLimit, refuse, deps.now).middleware);
  const decisions = Router();
  decisions.use(...requestLimits(deps.db, deps.logger, 'decisions', rateLimit.decisions, rateLimit, refuse, deps.now).middleware);
  return (req, res, next) => (req.path === '/decisions' || req.path.startsWith('/decisions/') ? decisions : api)(req, res, next);
}

