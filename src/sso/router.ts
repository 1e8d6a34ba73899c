import express, { Router, type Request, type Response } from 'express';
import passport from 'passport';
import type { AppDeps } from '../http/deps.ts';
import { runInTransaction, type Actor } from '../domain/context.ts';
import { isDomainError } from '../domain/errors.ts';
import { acceptInvitationToken, previewInvitation } from '../domain/invitations.ts';
import { getOrganization } from '../domain/organizations.ts';
import { consumeBreakGlassLink } from '../domain/provisioning/break-glass.ts';
import { completeSetup, setupTokenUsable } from '../domain/provisioning/first-run.ts';
import { provisionSignIn } from '../domain/provisioning/sign-in.ts';
import { runStrategy } from './authenticate.ts';
import { badRequest, setupInvalid, invitationInvalid, invalidCredentials, loginFormExpired, ldapUnavailable, linkInvalid, noDirectoryId, notAllowed, signInRefused, unauthenticated, unknownProvider } from './errors.ts';
import type { SignInIdentity } from './identity.ts';
import { createLdapDirectory, type LdapRefusal } from './ldap/directory.ts';
import { ldapLoginForm } from './ldap/input.ts';
import { ldapLoginThrottle } from './ldap/throttle.ts';
import { issueLoginCsrf, validLoginCsrf } from './login-csrf.ts';
import { loadMe } from './me.ts';
import { sessionTrust } from './trust.ts';
import { createOidcProvider, type CustomFetch, type OidcProvider, type OidcSignIn } from './oidc/client.ts';
import { oidcFailure } from './oidc/errors.ts';
import { invitationAcceptedPage, invitationPage, ldapLoginPage, linkConfirmPage, loginPage, logoutPage, setupPage, type SetupFormValues } from './pages.ts';
import { setupForm } from './setup-form.ts';
import { ssoErrorHandler } from './render.ts';
import { returnToOrDefault, safeReturnTo } from './return-to.ts';
import { currentAccount, endSession, establishSession, SESSION_COOKIE, sessionMiddleware, type AuthMethod } from './session/middleware.ts';

/** Test and embedding hooks; production passes none. */
export interface SsoHooks {
  /** Outbound HTTP for OIDC (discovery, token, UserInfo, JWKS), e.g. trusting a test CA. */
  oidcFetch?: CustomFetch;
}

export type SsoDeps = AppDeps & { sso?: SsoHooks };

const noStore = (res: Response) => res.set('Cache-Control', 'no-store');

export function ssoRouter(deps: SsoDeps): Router {
  const { config, db, logger } = deps;
  const now = () => deps.now?.() ?? new Date();
  const pp = new passport.Authenticator();
  const secureCookies = new URL(config.publicUrl).protocol === 'https:';

  const providers = new Map<string, OidcProvider>(
    config.oidc.map((p) => [p.name, createOidcProvider(p, { publicUrl: config.publicUrl, logger, fetch: deps.sso?.oidcFetch })]),
  );
  const ldap = config.ldap ? createLdapDirectory(config.ldap, logger) : null;
  if (ldap) pp.use(ldap.strategyName, ldap.strategy);

  const router = Router();
  router.use(['/login', '/logout', '/auth'], sessionMiddleware(deps));

  const signIn = async (req: Request, res: Response, identity: SignInIdentity, method: AuthMethod, returnTo: string, logout?: { oidcProvider: string; idToken: string }) => {
    const result = await provisionSignIn(db, identity, { autoProvisioning: config.autoProvisioning, now: now() });
    await establishSession(req, { accountId: result.accountId, method, provider: identity.label, source: identity.source, identity: { provider: identity.provider, externalId: identity.externalId }, ...(logout ? { logout } : {}) }, now());
    req.log?.info({ accountId: result.accountId, provider: identity.label, created: result.createdAccount }, 'signed in');
    noStore(res).redirect(303, returnTo);
  };

  // --- the sign-in page ---
  router.get('/login', (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, config.publicUrl);
    const q = returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : '';
    const list = [...providers.values()].map((p) => ({ href: `/auth/oidc/${encodeURIComponent(p.name)}/login${q}`, label: p.label }));
    if (ldap) list.push({ href: `/auth/ldap/login${q}`, label: 'your directory account (LDAP)' });
    noStore(res).type('html').send(loginPage(list));
  });

  // --- OIDC ---
  const providerOf = (req: Request): OidcProvider => {
    const p = providers.get(String(req.params.provider));
    if (!p) throw unknownProvider();
    return p;
  };
  const registered = async (p: OidcProvider): Promise<string> => {
    let strategy;
    try {
      strategy = await p.strategy();
    } catch (err: unknown) {
      throw oidcFailure(err);
    }
    pp.use(p.strategyName, strategy); // same instance each time after discovery
    return p.strategyName;
  };

  router.get('/auth/oidc/:provider/login', async (req, res) => {
    const p = providerOf(req);
    const name = await registered(p);
    const returnTo = safeReturnTo(req.query.returnTo, config.publicUrl);
    if (returnTo) req.session.returnTo = returnTo;
    else delete req.session.returnTo;
    const outcome = await runStrategy(pp, name, req, res);
    // On success the strategy has redirected to the IdP and ended the response.
    if (outcome.kind === 'error') throw oidcFailure(outcome.error);
    if (outcome.kind !== 'success' && !res.headersSent) throw signInRefused('The sign-in could not be started.');
  });

  router.get('/auth/oidc/:provider/callback', async (req, res) => {
    const p = providerOf(req);
    if (req.query.code === undefined && req.query.error === undefined) throw badRequest('This address is only for the identity provider to send you back to.');
    const name = await registered(p);
    const returnTo = returnToOrDefault(req.session.returnTo, config.publicUrl);
    const outcome = await runStrategy(pp, name, req, res);
    if (outcome.kind === 'error') throw oidcFailure(outcome.error);
    if (outcome.kind === 'fail') {
      const info = outcome.info as { message?: string } | undefined;
      throw signInRefused(`The sign-in was refused: ${info?.message ?? 'unknown reason'}.`);
    }
    const { identity, idToken } = outcome.user as OidcSignIn;
    await signIn(req, res, identity, 'oidc', returnTo, idToken ? { oidcProvider: p.name, idToken } : undefined);
  });

  // --- LDAP ---
  if (ldap && config.ldap) {
    const throttle = ldapLoginThrottle(db, {
      maxFailures: config.ldap.loginMaxFailures,
      maxFailuresPerAddress: config.ldap.loginMaxFailuresPerAddress,
      windowMinutes: config.ldap.loginWindowMinutes,
    });
    router.get('/auth/ldap/login', (req, res) => {
      const csrf = issueLoginCsrf(res, secureCookies);
      noStore(res).type('html').send(ldapLoginPage({ action: '/auth/ldap/login', returnTo: safeReturnTo(req.query.returnTo, config.publicUrl), csrf }));
    });
    router.post('/auth/ldap/login', express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 }), ...throttle.middleware, async (req, res) => {
      const parsed = ldapLoginForm.safeParse(req.body ?? {});
      if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? 'Enter your username and password.');
      if (!validLoginCsrf(req, parsed.data.csrf)) throw loginFormExpired();
      req.body = parsed.data; // what the strategy reads: trimmed username, checked password
      const returnTo = returnToOrDefault(parsed.data.returnTo, config.publicUrl);
      const outcome = await runStrategy(pp, ldap.strategyName, req, res);
      if (outcome.kind === 'error') throw ldapUnavailable(outcome.error);
      if (outcome.kind === 'fail') {
        const info = outcome.info as Partial<LdapRefusal> | undefined;
        if (info?.code === 'not_allowed') throw notAllowed(info.message ?? 'Not allowed.');
        if (info?.code === 'no_directory_id') throw noDirectoryId(info.message ?? 'Your directory entry cannot be used to sign in.');
        if (outcome.status === 400) throw badRequest('Enter your username and password.');
        throw invalidCredentials();
      }
      await throttle.succeeded(req);
      await signIn(req, res, outcome.user as SignInIdentity, 'ldap', returnTo);
    });
  }

  // --- break-glass links (orgbridge admin-link) ---
  // GET only shows a button: link scanners and previews must not use the link up.
  router.get('/auth/link/:token', (req, res) => {
    noStore(res).set('Referrer-Policy', 'no-referrer').type('html').send(linkConfirmPage(`/auth/link/${encodeURIComponent(String(req.params.token))}`));
  });
  router.post('/auth/link/:token', async (req, res) => {
    const token = String(req.params.token);
    if (!/^obg_[A-Za-z0-9_-]{43}$/.test(token)) throw linkInvalid();
    const { accountId } = await consumeBreakGlassLink(db, token, now());
    await establishSession(req, { accountId, method: 'break_glass' }, now());
    req.log?.warn({ accountId }, 'signed in with a break-glass link');
    noStore(res).redirect(303, '/admin');
  });

  // --- first-run setup (issue 12): the link the server prints while the deployment is empty ---
  // GET shows the form and changes nothing; POST creates the first organization and its
  // admin (system admin), signs them in and lands on the dashboard.
  const SETUP_TOKEN = /^obsetup_[A-Za-z0-9_-]{43}$/;
  const setupAction = (token: string) => `/auth/setup/${encodeURIComponent(token)}`;
  router.get('/auth/setup/:token', async (req, res) => {
    const token = String(req.params.token);
    if (!SETUP_TOKEN.test(token) || !(await setupTokenUsable(db, token, now()))) throw setupInvalid();
    noStore(res).set('Referrer-Policy', 'no-referrer').type('html').send(setupPage(setupAction(token)));
  });
  router.post('/auth/setup/:token', express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 }), async (req, res) => {
    const token = String(req.params.token);
    if (!SETUP_TOKEN.test(token)) throw setupInvalid();
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const parsed = setupForm.safeParse(raw);
    const values = Object.fromEntries(['orgName', 'domain', 'adminEmail', 'adminName'].map((k) => [k, typeof raw[k] === 'string' ? (raw[k] as string).slice(0, 400) : ''])) as SetupFormValues;
    const again = (status: number, message: string) => noStore(res).status(status).set('Referrer-Policy', 'no-referrer').type('html').send(setupPage(setupAction(token), values, message));
    if (!parsed.success) {
      again(400, parsed.error.issues[0]?.message ?? 'Check the form.');
      return;
    }
    let done: { accountId: string; org: { slug: string } };
    try {
      done = await completeSetup(db, token, parsed.data, now());
    } catch (err: unknown) {
      if (isDomainError(err, 'expired')) throw setupInvalid();
      // What the person can fix (a refused domain, a bad name) is said on the form again.
      if (isDomainError(err) && (err.code === 'invalid' || err.code === 'conflict' || err.code === 'uniqueness')) {
        again(400, err.message);
        return;
      }
      throw err;
    }
    await establishSession(req, { accountId: done.accountId, method: 'setup' }, now());
    req.log?.warn({ accountId: done.accountId, org: done.org.slug }, 'first-run setup completed');
    noStore(res).redirect(303, `/admin#/${encodeURIComponent(done.org.slug)}`);
  });

  // --- invitation links (SPEC §1: accepted by the invitee, signed in as the invited address) ---
  // The link is the invitation's single-use secret, but holding it proves nothing: GET shows
  // what it is and asks for a sign-in (link scanners and previews must not use it up);
  // POST accepts it for the signed-in account when that account proves the invited address.
  const INVITE_TOKEN = /^obinv_[A-Za-z0-9_-]{43}$/;
  router.get('/auth/invite/:token', async (req, res) => {
    const token = String(req.params.token);
    const preview = INVITE_TOKEN.test(token) ? await previewInvitation(db, token, now()) : null;
    if (!preview) throw invitationInvalid();
    noStore(res).set('Referrer-Policy', 'no-referrer').type('html').send(invitationPage(`/auth/invite/${encodeURIComponent(token)}`, preview, currentAccount(req) !== null, providers.size > 0 || Boolean(ldap)));
  });
  router.post('/auth/invite/:token', async (req, res) => {
    const token = String(req.params.token);
    if (!INVITE_TOKEN.test(token)) throw invitationInvalid();
    const who = currentAccount(req);
    if (!who) throw unauthenticated();
    const actor: Actor = { type: 'user', id: who.accountId, label: 'invitation link' };
    let accepted: { recordId: string; orgId: string };
    try {
      accepted = await runInTransaction(db, actor, (tx) => acceptInvitationToken(tx, token, who.accountId, now(), sessionTrust(config, who.source)));
    } catch (err: unknown) {
      if (isDomainError(err) && (err.code === 'not_found' || err.code === 'expired')) throw invitationInvalid();
      throw err;
    }
    const org = await getOrganization(db, accepted.orgId);
    req.log?.info({ accountId: who.accountId, recordId: accepted.recordId, orgId: accepted.orgId }, 'invitation accepted by link');
    noStore(res).set('Referrer-Policy', 'no-referrer').type('html').send(invitationAcceptedPage(org.name));
  });

  // --- session ---
  router.get('/logout', (_req, res) => {
    noStore(res).type('html').send(logoutPage());
  });
  router.post('/logout', async (req, res) => {
    const { oidcProvider, idToken } = req.session ?? {};
    await endSession(req);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    // A provider with logout on ends its session too (RP-Initiated Logout), then sends the
    // browser back to our sign-in page (register it as a post-logout redirect URI).
    const atIdp = oidcProvider && idToken ? await providers.get(oidcProvider)?.endSessionUrl(idToken, new URL('/login', config.publicUrl).href) : null;
    noStore(res).redirect(303, atIdp ? atIdp.href : '/login');
  });

  router.get('/auth/me', async (req, res) => {
    const who = currentAccount(req);
    if (!who) throw unauthenticated();
    const me = await loadMe(db, who.accountId, sessionTrust(config, who.source));
    if (!me) {
      await endSession(req);
      throw unauthenticated();
    }
    noStore(res).json({ ...me, authMethod: req.session.authMethod ?? null });
  });

  router.use(['/login', '/logout', '/auth'], ssoErrorHandler(logger, config.publicUrl));
  return router;
}
