// Server-rendered pages of the sign-in paths: plain HTML, no scripts, no inline styles
// (the app's CSP allows neither). Every interpolated value goes through `esc`.

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The dashboard's stylesheet (src/ui): one look for every page a person meets.
const STYLESHEET = '/ui/app/style.css';

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · orgbridge</title>
<link rel="stylesheet" href="${STYLESHEET}"></head>
<body><main class="server-page"><div class="brand">orgbridge</div><h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

/**
 * Every page ends by saying what to do next (issue 12 §11): a person who meets one of
 * these pages is never left without a way on. `html` is trusted markup built here.
 */
function nextStep(html: string): string {
  return `<p class="next"><strong>What to do next:</strong> ${html}</p>`;
}

export interface LoginPageProvider {
  href: string;
  label: string;
}

export function loginPage(providers: LoginPageProvider[]): string {
  const items = providers.map((p) => `<li><a href="${esc(p.href)}">Sign in with ${esc(p.label)}</a></li>`).join('\n');
  const body = providers.length
    ? `${nextStep('choose the way your organization signs you in. You come back to the dashboard (or to the page that sent you here).')}
<ul class="providers">\n${items}\n</ul>`
    : `<p>No sign-in provider is configured on this deployment yet.</p>
${nextStep('ask the operator of this deployment for a one-time sign-in link (they make one with <code>orgbridge admin-link &lt;your email&gt;</code>), or to configure your organization\'s identity provider (OIDC or LDAP; see the README\'s configuration reference). Then open the link you were given again.')}`;
  return layout('Sign in', body);
}

export function ldapLoginPage(opts: { action: string; returnTo: string | null; csrf: string; error?: string; username?: string }): string {
  const error = opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>\n` : '';
  const returnTo = opts.returnTo ? `<input type="hidden" name="returnTo" value="${esc(opts.returnTo)}">\n` : '';
  return layout(
    'Sign in with your directory account',
    `${error}<form method="post" action="${esc(opts.action)}">
<input type="hidden" name="csrf" value="${esc(opts.csrf)}">
${returnTo}<label>Username <input name="username" autocomplete="username" required value="${esc(opts.username ?? '')}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<p><a href="/login">Other ways to sign in</a></p>`,
  );
}

/** What a person can do after a refusal, by its status. */
function afterError(status: number): string {
  if (status >= 500) return nextStep('try again in a few minutes. If it keeps happening, tell the operator of this deployment the time it happened: the server log has the details. <a href="/login">Back to sign-in</a>');
  if (status === 410) return nextStep('ask whoever sent you the link for a new one; each link works once and for a limited time. <a href="/login">Sign in</a> if you already have access.');
  if (status === 429) return nextStep('wait a few minutes before trying again. <a href="/login">Back to sign-in</a>');
  if (status === 401) return nextStep('<a href="/login">sign in</a>, then open the page again.');
  return nextStep('if you think you should have access, ask an administrator of your organization; the message above says what they need to change. <a href="/login">Back to sign-in</a>');
}

export function errorPage(status: number, message: string): string {
  return layout(status >= 500 ? 'Sign-in is unavailable' : 'Sign-in refused', `<p class="error" role="alert">${esc(message)}</p>\n${afterError(status)}`);
}

export function linkConfirmPage(action: string): string {
  return layout(
    'One-time sign-in link',
    `<p>This link signs you in once. It stops working after use or after 15 minutes.</p>
${nextStep('choose Sign in. You land on the organization dashboard.')}
<form method="post" action="${esc(action)}"><button type="submit">Sign in</button></form>`,
  );
}

/**
 * The invitation link's page. Only the invitee may accept it, signed in with the invited
 * address: a visitor who is not signed in is asked to sign in first (and comes back here).
 */
export function invitationPage(action: string, p: { orgName: string; invitee: string; orgRole: string; expiresAt: Date }, signedIn: boolean, canSignIn = true): string {
  const until = esc(p.expiresAt.toISOString().slice(0, 16).replace('T', ' '));
  // A deployment with no sign-in provider yet is no dead end: say who can let them in.
  const next = signedIn
    ? `${nextStep(`choose Accept invitation. You join ${esc(p.orgName)} and land on its dashboard. If you are not signed in as ${esc(p.invitee)}, <a href="/logout">sign out</a> first.`)}
<form method="post" action="${esc(action)}"><button type="submit">Accept invitation</button></form>`
    : `${canSignIn
        ? nextStep(`sign in as ${esc(p.invitee)}; you come back to this page to accept.`)
        : nextStep(`this deployment has no sign-in provider configured yet, so you cannot sign in as ${esc(p.invitee)} by yourself. Ask the person who invited you, or the operator of this deployment, for a one-time sign-in link for that address (<code>orgbridge admin-link ${esc(p.invitee)}</code>); open it, then open this invitation link again.`)}
<p><a class="button primary" href="/login?returnTo=${esc(encodeURIComponent(action))}">Sign in</a></p>`;
  return layout(
    `Join ${p.orgName}`,
    `<p>${esc(p.invitee)} is invited to join <strong>${esc(p.orgName)}</strong> as ${esc(p.orgRole)}.</p>
<p>This invitation can be accepted once, until ${until} UTC, by signing in with that address.</p>
${next}`,
  );
}

export function invitationAcceptedPage(orgName: string): string {
  return layout(`You joined ${orgName}`, `${nextStep('open the dashboard to see your teams and what you may do.')}\n<p><a class="button primary" href="/admin">Open the dashboard</a></p>`);
}

export function logoutPage(): string {
  return layout('Sign out', `${nextStep('choose Sign out to end this session on this device. <a href="/admin">Back to the dashboard</a> to stay signed in.')}\n<form method="post" action="/logout"><button type="submit">Sign out</button></form>`);
}

export interface SetupFormValues {
  orgName?: string;
  domain?: string;
  adminEmail?: string;
  adminName?: string;
}

/** The first-run setup form (a fresh deployment): the first organization and its admin. */
export function setupPage(action: string, values: SetupFormValues = {}, error?: string): string {
  const v = (k: keyof SetupFormValues) => esc(values[k] ?? '');
  return layout(
    'Set up orgbridge',
    `${error ? `<p class="error" role="alert">${esc(error)}</p>\n` : ''}<p>This deployment is empty. Create the first organization and its administrator, who also becomes the system administrator of this instance. This link works once.</p>
${nextStep('fill in the form and choose Create and sign in. You land on the dashboard, where you invite people, create teams and connect your identity provider.')}
<form method="post" action="${esc(action)}">
<label>Organization name <input name="orgName" required maxlength="128" value="${v('orgName')}"></label>
<label>Email domain of its people (optional) <input name="domain" maxlength="253" placeholder="acme.example" value="${v('domain')}"></label>
<label>Your email address <input name="adminEmail" type="email" required maxlength="320" autocomplete="email" value="${v('adminEmail')}"></label>
<label>Your name (optional) <input name="adminName" maxlength="256" autocomplete="name" value="${v('adminName')}"></label>
<button type="submit">Create and sign in</button>
</form>`,
  );
}
