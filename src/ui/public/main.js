import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, setCsrfToken } from './api.js';
import { html } from './html.js';
import { settingsTabs, SettingsPage } from './settings.js';
import { TeamPage, TeamsPage } from './teams.js';
import { UsersPage } from './users.js';
import { AccessResourcesPage } from './access-resources.js';

// The organization dashboard: one page, routes in the #fragment (#/<org>/users,
// #/<org>/teams[/<team>], #/<org>/settings[/<section>]). Everything it shows comes from
// the admin API; what the person may not do is simply not offered (the server refuses
// it anyway).

// Only "#/…" is a route: an in-page anchor such as the skip link's "#main" is not an
// organization named "main".
const isRoute = (hash) => hash === '' || hash === '#' || hash.startsWith('#/');

function parseHash() {
  if (!isRoute(location.hash)) return { org: null, page: null, sub: null };
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { org: parts[0] || null, page: parts[1] || null, sub: parts[2] || null };
}

export function navigate(path) {
  location.hash = `#${path}`;
}

function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const on = () => {
      if (isRoute(location.hash)) setRoute(parseHash());
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

function SignIn() {
  return html`<main class="signin" id="main">
    <h1>Organization dashboard</h1>
    <p>You are not signed in.</p>
    <p><a class="button primary" href="/login?returnTo=%2Fadmin">Sign in</a></p>
  </main>`;
}

/** The skip link moves focus to the page's content and leaves the route (the #fragment) alone. */
function skipToMain(e) {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

function Header({ me, org, orgs, perms, page }) {
  const items = [
    perms.has('org.users.view') ? { id: 'users', label: 'Users' } : perms.has('system.activity.view') && { id: 'users', label: 'Activity' },
    { id: 'teams', label: 'Teams' },
    { id: 'projects', label: 'Projects' },
    settingsTabs(perms).length > 0 && { id: 'settings', label: 'Settings' },
  ].filter(Boolean);
  return html`<header class="top">
    <a class="skip" href="#main" onClick=${skipToMain}>Skip to content</a>
    <div class="brand">orgbridge</div>
    ${orgs.length > 1
      ? html`<label class="visually-hidden" for="org-switch">Organization</label>
        <select id="org-switch" value=${org.slug} onChange=${(e) => navigate(`/${e.currentTarget.value}`)}>
          ${orgs.map((o) => html`<option key=${o.slug} value=${o.slug}>${o.name}</option>`)}
        </select>`
      : html`<span class="org-name">${org.name}</span>`}
    <nav aria-label="Dashboard">
      ${items.map((i) => html`<a key=${i.id} href=${`#/${org.slug}/${i.id}`} aria-current=${page === i.id ? 'page' : undefined}>${i.label}</a>`)}
    </nav>
    <div class="who">
      <span>${me.user ? me.user.name : 'API key'}</span>
      <form method="post" action="/logout"><button type="submit" class="link">Sign out</button></form>
    </div>
  </header>`;
}

function OrgDashboard({ me, orgs, route }) {
  const [ctx, setCtx] = useState(null);
  const [error, setError] = useState(null);
  const mainRef = useRef(null);
  const load = async () => {
    try {
      const [mine, info] = await Promise.all([get(`/orgs/${route.org}/me`), get(`/orgs/${route.org}`)]);
      setCtx({ perms: new Set(mine.permissions), mine, info });
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? 'No such organization, or you are not a member of it.' : err.message);
    }
  };
  useEffect(() => {
    setCtx(null);
    load();
  }, [route.org]);
  useEffect(() => {
    if (mainRef.current && document.activeElement === document.body) mainRef.current.focus();
  }, [route.page, route.sub]);
  if (error) return html`<main id="main" class="page"><p class="error" role="alert">${error}</p></main>`;
  if (!ctx) return html`<main id="main" class="page"><p class="muted">Loading…</p></main>`;
  const { perms, info } = ctx;
  const page = route.page || (perms.has('org.users.view') || perms.has('system.activity.view') ? 'users' : 'teams');
  const org = info.slug;
  let body;
  if (page === 'users') body = html`<${UsersPage} org=${org} orgInfo=${info} perms=${perms} reloadOrg=${load} />`;
  else if (page === 'teams' && route.sub) body = html`<${TeamPage} key=${route.sub} org=${org} orgInfo=${info} teamId=${route.sub} navigate=${navigate} />`;
  else if (page === 'teams') body = html`<${TeamsPage} org=${org} orgInfo=${info} perms=${perms} navigate=${navigate} />`;
  else if (page === 'projects') body = html`<${AccessResourcesPage} org=${org} perms=${perms} />`;
  else if (page === 'settings') body = html`<${SettingsPage} org=${org} orgInfo=${info} perms=${perms} tab=${route.sub} reloadOrg=${load} />`;
  else body = html`<p>No such page.</p>`;
  return html`<div class="app">
    <${Header} me=${me} org=${info} orgs=${orgs} perms=${perms} page=${page} />
    <main id="main" tabindex="-1" ref=${mainRef}>${body}</main>
  </div>`;
}

function App() {
  const route = useRoute();
  const [me, setMe] = useState(null);
  const [orgs, setOrgs] = useState(null);
  const [signedOut, setSignedOut] = useState(false);
  useEffect(() => {
    (async () => {
      try {
        const m = await get('/me');
        setCsrfToken(m.csrfToken);
        const all = await get('/orgs');
        setMe(m);
        setOrgs(all.items);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) setSignedOut(true);
        else throw err;
      }
    })();
  }, []);
  if (signedOut) return html`<${SignIn} />`;
  if (!me || !orgs) return html`<p class="muted page">Loading…</p>`;
  if (!route.org) {
    const first = me.orgs.find((o) => o.status === 'active') || orgs[0];
    if (first) {
      navigate(`/${first.slug}`);
      return null;
    }
    return html`<main id="main" class="page"><h1>Organization dashboard</h1><p>You are not an active member of any organization.</p></main>`;
  }
  return html`<${OrgDashboard} key=${route.org} me=${me} orgs=${orgs} route=${route} />`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
