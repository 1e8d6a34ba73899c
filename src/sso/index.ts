// SSO sign-in (SPEC §5, issue 5). Public surface:
//
//   ssoRouter(deps: SsoDeps): Router
//     Mount at the app root. Routes: GET /login, GET /auth/oidc/:provider/login,
//     GET /auth/oidc/:provider/callback, GET+POST /auth/ldap/login, GET+POST /logout
//     (POST ends the session; GET shows a sign-out button), GET /auth/me (JSON),
//     GET+POST /auth/link/:token (break-glass link: GET confirms, POST signs in).
//     SsoDeps = AppDeps & { sso?: { oidcFetch?: CustomFetch } } (the hook is for tests).
//     Throws ConfigError at construction for configuration it refuses (LDAP StartTLS,
//     an unreadable LDAP_CA_FILE, no SESSION_SECRET with NODE_ENV=production).
//
//   sessionMiddleware(deps: AppDeps): RequestHandler
//     express-session over the `sessions` table; memoised per deps object, so the admin
//     API gets the same cookie, secret and store. The router applies it to /login,
//     /logout and /auth/*; mount it yourself in front of other routers that need it.
//
//   currentAccount(req): { accountId: string; source: string | null } | null
//     The signed-in account (after sessionMiddleware). What it may do in an organization is
//     read from its member record there on every request, so deactivation in one
//     organization ends access there at once and leaves the session (and the account's
//     other organizations) alone.
//
//   KnexSessionStore — the store itself (prune() for a periodic clean-up job).

export { ssoRouter, type SsoDeps, type SsoHooks } from './router.ts';
export { currentAccount, sessionMiddleware, SESSION_COOKIE } from './session/middleware.ts';
export { KnexSessionStore } from './session/store.ts';
export { SsoError } from './errors.ts';
