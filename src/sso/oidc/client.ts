import * as client from 'openid-client';
import { Strategy, type AuthenticateOptions } from 'openid-client/passport';
import type { Request } from 'express';
import { ConfigError } from '../../config/env.ts';
import type { OidcProviderConfig } from '../../config/schema.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SignInIdentity } from '../identity.ts';
import { identityFromClaims } from './claims.ts';

// One configured OpenID Provider behind a narrow interface: the routes ask for its
// passport strategy; discovery happens on first use (so the service starts while an IdP
// is down) and is retried on the next sign-in after a failure.

export type CustomFetch = client.CustomFetch;

export interface OidcProvider {
  readonly name: string;
  readonly label: string;
  readonly strategyName: string;
  strategy(): Promise<Strategy>;
  /**
   * Where to send the browser at sign-out to end the IdP's session too (RP-Initiated
   * Logout), or null: logout not configured, the IdP unreachable for discovery, or no
   * end_session_endpoint.
   */
  endSessionUrl(idToken: string, postLogoutRedirectUri: string): Promise<URL | null>;
}

/**
 * What a successful OIDC sign-in hands the route (as passport's `user`: openid-client's
 * strategy passes no `info` on success).
 */
export interface OidcSignIn {
  identity: SignInIdentity;
  /** Only for a provider with logout on, kept in the session: the id_token_hint at sign-out. */
  idToken?: string;
}

/**
 * openid-client's strategy adds `state` only when the server does not advertise PKCE,
 * and `nonce` only for response types with an ID token in the front channel. We send
 * both on every authorization request; the strategy stores what it finds in the URL in
 * the session and makes authorizationCodeGrant check them on the way back.
 */
export class StateAndNonceStrategy extends Strategy {
  override authorizationRequestParams<TOptions extends AuthenticateOptions>(req: Request, options: TOptions): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options) ?? undefined);
    params.set('state', client.randomState());
    params.set('nonce', client.randomNonce());
    return params;
  }
}

export interface OidcProviderOptions {
  publicUrl: string;
  logger: Logger;
  /** Outbound HTTP for discovery, token and UserInfo requests (tests trust their own CA). */
  fetch?: CustomFetch | undefined;
  timeoutSeconds?: number;
}

async function discover(cfg: OidcProviderConfig, opts: OidcProviderOptions): Promise<client.Configuration> {
  const options: client.DiscoveryRequestOptions = {
    // Check ID token signatures too, not only iss/aud/exp/nonce (TLS alone would do
    // for the token endpoint; we want tampering refused whatever the transport).
    execute: [client.enableNonRepudiationChecks],
  };
  if (opts.fetch) options[client.customFetch] = opts.fetch;
  const config = cfg.clientSecret
    ? await client.discovery(new URL(cfg.issuer), cfg.clientId, cfg.clientSecret, undefined, options)
    : await client.discovery(new URL(cfg.issuer), cfg.clientId, { token_endpoint_auth_method: 'none' }, client.None(), options);
  config.timeout = opts.timeoutSeconds ?? 10;
  return config;
}

export function createOidcProvider(cfg: OidcProviderConfig, opts: OidcProviderOptions): OidcProvider {
  if (new URL(cfg.issuer).protocol !== 'https:') {
    // openid-client would refuse it at the first sign-in; say so at start-up instead.
    throw new ConfigError(`OIDC_${cfg.name.toUpperCase().replace(/-/g, '_')}_ISSUER (oidc.${cfg.name}.issuer): must be an https:// URL, got ${cfg.issuer}`);
  }
  const strategyName = `oidc:${cfg.name}`;
  let pending: Promise<Strategy> | null = null;
  let discovered: client.Configuration | null = null;

  const build = async (): Promise<Strategy> => {
    const config = await discover(cfg, opts);
    discovered = config;
    const issuer = config.serverMetadata().issuer;
    return new StateAndNonceStrategy(
      {
        config,
        name: strategyName,
        sessionKey: strategyName,
        callbackURL: new URL(`/auth/oidc/${cfg.name}/callback`, opts.publicUrl).href,
        scope: cfg.scopes.join(' '),
      },
      (tokens, verified) => {
        void (async () => {
          const idClaims = tokens.claims();
          if (!idClaims) throw new Error('the token response has no ID token');
          let claims: Record<string, unknown> = { ...idClaims };
          // Some IdPs put the email only in UserInfo; then take email and the claim
          // that vouches for it together from there, never one from each.
          if (claims[cfg.claims.email] === undefined && tokens.access_token && config.serverMetadata().userinfo_endpoint) {
            const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
            claims = { ...info, ...claims, [cfg.claims.email]: info[cfg.claims.email], [cfg.claims.emailVerified]: info[cfg.claims.emailVerified] };
            if (cfg.groupsClaim && claims[cfg.groupsClaim] === undefined) claims[cfg.groupsClaim] = info[cfg.groupsClaim];
          }
          const identity: SignInIdentity = identityFromClaims(cfg, issuer, claims);
          const signedIn: OidcSignIn = cfg.logout && tokens.id_token ? { identity, idToken: tokens.id_token } : { identity };
          verified(null, signedIn);
        })().catch((err: unknown) => verified(err));
      },
    );
  };

  const strategy = (): Promise<Strategy> => {
    if (!pending) {
      pending = build().catch((err: unknown) => {
        pending = null; // try discovery again next time
        opts.logger.warn({ err, provider: cfg.name }, 'OIDC discovery failed');
        throw err;
      });
    }
    return pending;
  };

  return {
    name: cfg.name,
    label: cfg.displayName ?? cfg.name,
    strategyName,
    strategy,
    async endSessionUrl(idToken, postLogoutRedirectUri) {
      if (!cfg.logout) return null;
      // The session may have begun on another instance (or before a restart): discover
      // here if this process has not yet. An IdP that cannot be reached must not keep
      // anyone from signing out of orgbridge: then only our session ends.
      if (!discovered) await strategy().catch(() => undefined);
      if (!discovered?.serverMetadata().end_session_endpoint) return null;
      return client.buildEndSessionUrl(discovered, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri });
    },
  };
}
