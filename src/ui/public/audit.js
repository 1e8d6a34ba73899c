import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';
import { Clip, LimitedInput } from './components.js';
import { formatDateTime } from './format.js';
import { html } from './html.js';

// The audit log in words: who did what to whom, and what changed ("role: Member → Admin");
// the server names targets and says the change (src/api/queries/audit-words.ts), so the
// CSV download reads the same.

const ACTION_GROUPS = [
  ['', 'All actions'],
  ['member.*', 'Users: roles, seats, status, removal'],
  ['invitation.*', 'Invitations'],
  ['team.*', 'Teams'],
  ['custom_role.*', 'Custom roles'],
  ['org.domain.*', 'Domains'],
  ['org.*', 'Organization settings'],
  ['role_group.*', 'Role groups'],
  ['scim_token.*', 'SCIM tokens'],
  ['api_key.*', 'API keys'],
  ['sso.*', 'Sign-ins'],
];

/** A date input's day as the start of that day in UTC; `to` is exclusive, so it is the next day. */
const dayStart = (d, plus = 0) => (d ? new Date(Date.parse(`${d}T00:00:00Z`) + plus * 86_400_000).toISOString() : '');

function params(f) {
  const p = new URLSearchParams();
  if (f.actor.trim()) p.set('actor', f.actor.trim());
  if (f.target.trim()) p.set('target', f.target.trim());
  if (f.action) p.set('action', f.action);
  if (f.outcome) p.set('outcome', f.outcome);
  if (f.from) p.set('from', dayStart(f.from));
  if (f.to) p.set('to', dayStart(f.to, 1));
  return p;
}

const EMPTY = { actor: '', action: '', target: '', outcome: '', from: '', to: '' };

/** The audit log: filter by person, action, target, outcome and dates; newest first; "Load more"; CSV. */
export function AuditLog({ org }) {
  const [filters, setFilters] = useState(EMPTY);
  const [applied, setApplied] = useState(EMPTY);
  const [items, setItems] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const query = (after) => {
    const p = params(applied);
    p.set('limit', '50');
    if (after) p.set('cursor', after);
    return `/orgs/${org}/audit?${p}`;
  };
  useEffect(() => {
    setError(null);
    get(query()).then(
      (d) => {
        setItems(d.items);
        setCursor(d.nextCursor);
      },
      (e) => setError(e.message),
    );
  }, [org, applied]);
  const more = async () => {
    try {
      const d = await get(query(cursor));
      setItems((x) => [...x, ...d.items]);
      setCursor(d.nextCursor);
    } catch (e) {
      setError(e.message);
    }
  };
  const set = (k) => (v) => setFilters({ ...filters, [k]: v });
  const filtered = Object.values(applied).some(Boolean);
  return html`<section class="card" aria-labelledby="audit-title">
    <div class="card-head">
      <h2 id="audit-title">Audit log</h2>
      <a class="button" href=${`/api/v1/orgs/${org}/audit.csv?${params(applied)}`} download>Download CSV</a>
    </div>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setApplied(filters); }}>
      <div class="field">
        <label for="audit-actor">Person</label>
        <${LimitedInput} id="audit-actor" label="Person" max=${200} placeholder="who did it" value=${filters.actor} onInput=${set('actor')} />
      </div>
      <div class="field">
        <label for="audit-action">Action</label>
        <select id="audit-action" value=${filters.action} onChange=${(e) => set('action')(e.currentTarget.value)}>
          ${ACTION_GROUPS.map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="audit-target">Target</label>
        <${LimitedInput} id="audit-target" label="Target" max=${200} placeholder="user, team or role name" value=${filters.target} onInput=${set('target')} />
      </div>
      <div class="field">
        <label for="audit-from">From</label>
        <input id="audit-from" type="date" value=${filters.from} max=${filters.to || undefined} onInput=${(e) => set('from')(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="audit-to">To</label>
        <input id="audit-to" type="date" value=${filters.to} min=${filters.from || undefined} onInput=${(e) => set('to')(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="audit-outcome">Outcome</label>
        <select id="audit-outcome" value=${filters.outcome} onChange=${(e) => set('outcome')(e.currentTarget.value)}>
          <option value="">All</option><option value="ok">Done</option><option value="refused">Refused</option>
        </select>
      </div>
      <button type="submit">Filter</button>
      ${filtered && html`<button type="button" class="link" onClick=${() => { setFilters(EMPTY); setApplied(EMPTY); }}>Clear filters</button>`}
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="table-wrap"><table class="audit stacking">
      <caption class="visually-hidden">Audit log entries, newest first</caption>
      <thead><tr><th scope="col">When</th><th scope="col">Person</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">What changed</th></tr></thead>
      <tbody>
        ${items && items.length === 0 && !error && html`<tr class="empty"><td colspan="6">${filtered ? 'No entries match these filters.' : 'Nothing has happened here yet.'}</td></tr>`}
        ${(items || []).map((e) => html`<tr key=${e.id} class=${e.outcome === 'refused' ? 'refused' : ''} data-action=${e.action}>
          <td class="nowrap" data-label="When">${formatDateTime(e.at)}</td>
          <td data-label="Person"><${Clip} text=${e.actor.label || e.actor.type} /></td>
          <td data-label="Action" title=${e.action}>${e.actionLabel}</td>
          <td data-label="Target">${e.target.name ? html`<${Clip} text=${e.target.name} />` : e.target.type ? html`<span class="muted">${e.target.type.replace('_', ' ')}</span>` : '—'}</td>
          <td data-label="Outcome">${e.outcome === 'refused' ? html`<span class="badge badge-warn">Refused</span>` : html`<span class="badge badge-ok">Done</span>`}</td>
          <td class="small details" data-label="What changed">${e.summary || html`<span class="muted">—</span>`}</td>
        </tr>`)}
      </tbody>
    </table></div>
    ${cursor && html`<div><button type="button" onClick=${more}>Load more</button></div>`}
  </section>`;
}
