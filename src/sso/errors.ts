// The one SSO error type. Every refusal or failure on the sign-in paths becomes an
// SsoError; `renderSsoError` (errors-render.ts) turns it into an HTML page for browser
// routes or JSON for /auth/me. `expose` is true below 500: the message is for the person.

export type SsoErrorCode =
  | 'bad_request'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'login_form_expired'
  | 'sign_in_refused'
  | 'not_provisioned'
  | 'deactivated'
  | 'seat_limit'
  | 'not_allowed'
  | 'no_directory_id'
  | 'link_invalid'
  | 'invitation_invalid'
  | 'setup_invalid'
  | 'invitation_other_invitee'
  | 'invitation_untrusted_provider'
  | 'identity_conflict'
  | 'ambiguous_record'
  | 'unknown_provider'
  | 'idp_unavailable'
  | 'ldap_unavailable'
  | 'too_many_attempts'
  | 'internal';

export class SsoError extends Error {
  override name = 'SsoError';
  readonly expose: boolean;
  constructor(
    readonly status: number,
    readonly code: SsoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.expose = status < 500;
  }
}

export const badRequest = (message: string) => new SsoError(400, 'bad_request', message);
export const unauthenticated = () => new SsoError(401, 'unauthenticated', 'You are not signed in.');
export const invalidCredentials = () => new SsoError(401, 'invalid_credentials', 'Wrong username or password.');
export const signInRefused = (message: string, cause?: unknown) => new SsoError(400, 'sign_in_refused', message, { cause });
export const notProvisioned = () =>
  new SsoError(403, 'not_provisioned', 'You do not have an account here yet. Ask an administrator of your organization to invite you.');
export const deactivated = () =>
  new SsoError(403, 'deactivated', 'Your account has been deactivated. Ask an administrator of your organization to reactivate it.');
export const seatLimit = () =>
  new SsoError(403, 'seat_limit', 'Your organization has no seat left for you. Ask an administrator of your organization for a seat.');
export const notAllowed = (message: string) => new SsoError(403, 'not_allowed', message);
/** The directory entry lacks LDAP_ID_ATTRIBUTE: nothing to key the person on (never the DN). */
export const noDirectoryId = (message: string) => new SsoError(403, 'no_directory_id', message);
export const loginFormExpired = () => new SsoError(403, 'login_form_expired', 'This sign-in form has expired or did not come from this site; please sign in again.');
export const linkInvalid = () => new SsoError(410, 'link_invalid', 'This sign-in link is invalid, expired or already used.');
export const invitationInvalid = () =>
  new SsoError(410, 'invitation_invalid', 'This invitation link is invalid, expired, revoked or already used. Ask an administrator of your organization to invite you again, or sign in if you already joined.');
export const invitationForOther = (invitee: string) =>
  new SsoError(403, 'invitation_other_invitee', `This invitation is for ${invitee}, and you are signed in with another address. Sign out, then sign in as ${invitee} to accept it.`);
export const invitationUntrustedProvider = (organization: string) =>
  new SsoError(403, 'invitation_untrusted_provider', `${organization} does not trust the provider you signed in with. Sign out, then sign in through your ${organization} sign-in provider and open this invitation link again.`);
export const identityConflict = () =>
  new SsoError(
    403,
    'identity_conflict',
    'This sign-in cannot be linked to the account that holds your email address: that account already signs in through this identity provider with another identity, or belongs to an organization that does not trust this provider. Ask an administrator to check your sign-in identities.',
  );
export const ambiguousRecord = () =>
  new SsoError(
    403,
    'ambiguous_record',
    'More than one member record of your organization matches your email address, so we cannot tell which one is yours. Ask an administrator of your organization to give each record its own username or email.',
  );
export const setupInvalid = () =>
  new SsoError(410, 'setup_invalid', 'This setup link is invalid, expired or already used. The server prints a new one at start while the deployment is still empty; once it is set up, sign in instead.');
export const unknownProvider = () => new SsoError(404, 'unknown_provider', 'No such sign-in provider.');
export const idpUnavailable = (cause: unknown) =>
  new SsoError(503, 'idp_unavailable', 'The identity provider cannot be reached right now. Try again later.', { cause });
export const ldapUnavailable = (cause: unknown) =>
  new SsoError(503, 'ldap_unavailable', 'The directory server cannot be reached right now. Try again later.', { cause });
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new SsoError(429, 'too_many_attempts', `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute${retryAfterSeconds > 60 ? 's' : ''}.`);
export const internal = (cause: unknown) => new SsoError(500, 'internal', 'Sign-in failed because of an internal error.', { cause });
