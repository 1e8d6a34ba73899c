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

export interface LoginPageProvider {
  href: string;
  label: string;
}

export function loginPage(providers: LoginPageProvider[]): string {
  const items = providers.map((p) => `<li><a href="${esc(p.href)}">Sign in with ${esc(p.label)}</a></li>`).join('\n');
  const body = providers.length
    ? `<ul class="providers">\n${items}\n</ul>`
    : '<p>No sign-in provider is configured. An operator can create a one-time sign-in link with <code>orgbridge admin-link</code>.</p>';
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

export function errorPage(status: number, message: string): string {
  return layout(status >= 500 ? 'Sign-in is unavailable' : 'Sign-in refused', `<p class="error" role="alert">${esc(message)}</p>\n<p><a href="/login">Back to sign-in</a></p>`);
}

export function linkConfirmPage(action: string): string {
  return layout(
    'One-time sign-in link',
    `<p>This link signs you in once. It stops working after use or after 15 minutes.</p>
<form method="post" action="${esc(action)}"><button type="submit">Sign in</button></form>`,
  );
}

/**
 * The invitation link's page. Only the invitee may accept it, signed in with the invited
 * address: a visitor who is not signed in is asked to sign in first (and comes back here).
 */
export function invitationPage(action: string, p: { orgName: string; invitee: string; orgRole: string; expiresAt: Date }, signedIn: boolean): string {
  const until = esc(p.expiresAt.toISOString().slice(0, 16).replace('T', ' '));
  const next = signedIn
    ? `<form method="post" action="${esc(action)}"><button type="submit">Accept invitation</button></form>`
    : `<p>Sign in as ${esc(p.invitee)} to accept it.</p>
<p><a href="/login?returnTo=${esc(encodeURIComponent(action))}">Sign in</a></p>`;
  return layout(
    `Join ${p.orgName}`,
    `<p>${esc(p.invitee)} is invited to join <strong>${esc(p.orgName)}</strong> as ${esc(p.orgRole)}.</p>
<p>This invitation can be accepted once, until ${until} UTC, by signing in with that address.</p>
${next}`,
  );
}

export function invitationAcceptedPage(orgName: string): string {
  return layout(`You joined ${orgName}`, '<p><a href="/admin">Continue</a></p>');
}

export function logoutPage(): string {
  return layout('Sign out', '<form method="post" action="/logout"><button type="submit">Sign out</button></form>');
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
<form method="post" action="${esc(action)}">
<label>Organization name <input name="orgName" required maxlength="128" value="${v('orgName')}"></label>
<label>Email domain of its people (optional) <input name="domain" maxlength="253" placeholder="acme.example" value="${v('domain')}"></label>
<label>Your email address <input name="adminEmail" type="email" required maxlength="320" autocomplete="email" value="${v('adminEmail')}"></label>
<label>Your name (optional) <input name="adminName" maxlength="256" autocomplete="name" value="${v('adminName')}"></label>
<button type="submit">Create and sign in</button>
</form>`,
  );
}
