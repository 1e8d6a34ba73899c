import type { ErrorRequestHandler, Request } from 'express';
import { DomainError } from '../domain/errors.ts';
import { refusalReason } from '../domain/provisioning/sign-in.ts';
import type { Logger } from '../lib/logger.ts';
import {
  ambiguousRecord,
  deactivated,
  identityConflict,
  invitationForOther,
  invitationUntrustedProvider,
  internal,
  linkInvalid,
  notProvisioned,
  seatLimit,
  signInRefused,
  SsoError,
} from './errors.ts';
import { issueLoginCsrf } from './login-csrf.ts';
import { errorPage, ldapLoginPage } from './pages.ts';
import { safeReturnTo } from './return-to.ts';

/** A domain refusal met on a sign-in path, in the words of the sign-in pages. */
export function fromDomain(err: DomainError): SsoError {
  switch (refusalReason(err)) {
    case 'deactivated':
      return deactivated();
    case 'not_provisioned':
      return notProvisioned();
    case 'invitation_expired':
      return new SsoError(403, 'not_provisioned', 'Your invitation has expired. Ask an administrator of your organization to invite you again.');
    case 'identity_conflict':
      return identityConflict();
    case 'ambiguous_record':
      return ambiguousRecord();
    default:
      break;
  }
  if (err.code === 'forbidden' && err.details.reason === 'other_invitee') return invitationForOther(String(err.details.invitee));
  if (err.code === 'forbidden' && err.details.reason === 'untrusted_provider') return invitationUntrustedProvider(String(err.details.organization));
  if (err.code === 'seat_limit') return seatLimit();
  if (err.code === 'expired') return linkInvalid();
  if (err.code === 'uniqueness' || err.code === 'conflict') {
    return signInRefused('An account with this username or email already exists and is not linked to this sign-in. Ask an administrator.', err);
  }
  return internal(err);
}

export function toSsoError(err: unknown): SsoError {
  if (err instanceof SsoError) return err;
  if (err instanceof DomainError) return fromDomain(err);
  return internal(err);
}

// The error handler is mounted under /auth (and /login, /logout): req.path is relative.
const pathOf = (req: Request) => req.originalUrl.split('?')[0] ?? '';
/** "outer: inner: innermost" — what a refusal was really about, for the log. */
function causeChain(cause: unknown): string | undefined {
  const parts: string[] = [];
  for (let c = cause, i = 0; c instanceof Error && i < 4; c = c.cause, i++) parts.push(c.message);
  return parts.length ? parts.join(': ') : undefined;
}

const wantsJson = (req: Request) => pathOf(req) === '/auth/me' || (!req.accepts('html') && Boolean(req.accepts('json')));

/**
 * The one place SSO errors are rendered: JSON for /auth/me and API clients, an HTML page
 * for browsers (the LDAP form again, with the message, for a failed LDAP sign-in).
 * 5xx are logged with their cause; refusals at info.
 */
export function ssoErrorHandler(logger: Logger, publicUrl: string): ErrorRequestHandler {
  return (raw: unknown, req, res, next) => {
    if (res.headersSent) return next(raw);
    const err = toSsoError(raw);
    const log = req.log ?? logger;
    if (err.status >= 500) log.error({ err: err.cause ?? err, code: err.code }, 'sign-in failed');
    else log.info({ code: err.code, reason: err.message, cause: causeChain(err.cause) }, 'sign-in refused');
    res.status(err.status).set('Cache-Control', 'no-store');
    if (wantsJson(req)) {
      res.json({ error: { code: err.code, message: err.message } });
      return;
    }
    if (req.method === 'POST' && pathOf(req) === '/auth/ldap/login' && ['invalid_credentials', 'bad_request', 'not_allowed', 'login_form_expired', 'too_many_attempts'].includes(err.code)) {
      const body = (req.body ?? {}) as { username?: unknown; returnTo?: unknown };
      res.type('html').send(
        ldapLoginPage({
          action: '/auth/ldap/login',
          returnTo: safeReturnTo(body.returnTo, publicUrl),
          csrf: issueLoginCsrf(res, new URL(publicUrl).protocol === 'https:'),
          error: err.message,
          username: typeof body.username === 'string' ? body.username.slice(0, 256) : '',
        }),
      );
      return;
    }
    res.type('html').send(errorPage(err.status, err.message));
  };
}
