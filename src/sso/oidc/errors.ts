import * as client from 'openid-client';
import { idpUnavailable, signInRefused, SsoError } from '../errors.ts';

/**
 * An openid-client failure → SsoError. What the IdP or the browser sent that does not
 * check out (state, nonce, signature, audience, a used code, access_denied) is a refusal
 * (400); not reaching the IdP, or the IdP answering 5xx, is 503.
 */
export function oidcFailure(err: unknown): SsoError {
  if (err instanceof SsoError) return err;
  if (err instanceof client.AuthorizationResponseError) {
    return signInRefused(`The identity provider did not sign you in (${err.error}).`, err);
  }
  if (err instanceof client.ResponseBodyError) {
    return err.status >= 500 ? idpUnavailable(err) : signInRefused('The identity provider refused the sign-in.', err);
  }
  if (err instanceof client.ClientError) {
    if (err.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || err.code === 'OAUTH_RESPONSE_IS_NOT_JSON') return idpUnavailable(err);
    return signInRefused('The sign-in response from the identity provider could not be verified.', err);
  }
  if (err instanceof client.WWWAuthenticateChallengeError) return signInRefused('The identity provider refused the sign-in.', err);
  // fetch failures (TypeError: fetch failed), timeouts and aborts.
  return idpUnavailable(err);
}
