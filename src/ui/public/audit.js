import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';
import { formatDateTime } from './format.js';
import { html } from './html.js';

function summary(e) {
  const parts = [];
  if (e.before && typeof e.before === 'object') parts.push(`before ${JSON.stringify(e.before)}`);
  if (e.after && typeof e.after === 'object') parts.push(`after ${JSON.stringify(e.after)}`);
  return parts.join(' → ');
}

/** The audit log: filter by actor, action, target and outcome; newest first; "Load more". */
export function AuditLog({ org }) {
  const [filters, setFilters] = useState({ actor: '', action: '', target: '', outcome: '' });
  const [applied, setApplied] = useState(filters);
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const query = (f, after) => {
    const p = new URLSearchParams({ limit: '50' });
    for (const [k, v] of Object.entries(f)) if (v) p.set(k, v.trim());
    if (after) p.set('cursor', after);
    return `/orgs/${org}/audit?${p}`;
  };
  useEffect(() => {
    setError(null);
    get(query(applied)).then(
      (d) => {
        setItems(d.items);
        setCursor(d.nextCursor);
      },
      (e) => setError(e.message),
    );
  }, [org, applied]);
  const more = async () => {
    try {
      const d = await get(query(applied, cursor));
      setItems((x) => [...x, ...d.items]);
      setCursor(d.nextCursor);
    } catch (e) {
      setError(e.message);
    }
  };
  const field = (k, label, placeholder) => html`<div class="field">
    <label for=${`audit-${k}`}>${label}</label>
    <input id=${`audit-${k}`} placeholder=${placeholder} value=${filters[k]} onInput=${(e) => setFilters({ ...filters, [k]: e.currentTarget.value })} />
  </div>`;
  return html`<section class="card" aria-labelledby="audit-title">
    <h2 id="audit-title">Audit log</h2>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setApplied(filters); }}>
      ${field('actor', 'Actor', 'username or id')}
      ${field('action', 'Action', 'e.g. member.* or team.create')}
      ${field('target', 'Target id', 'user, team or token id')}
      <div class="field">
        <label for="audit-outcome">Outcome</label>
        <select id="audit-outcome" value=${filters.outcome} onChange=${(e) => setFilters({ ...filters, outcome: e.currentTarget.value })}>
          <option value="">All</option><option value="ok">Done</option><option value="refused">Refused</option>
        </select>
      </div>
      <button type="submit">Filter</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="table-wrap"><table class="audit">
      <caption class="visually-hidden">Audit log entries, newest first</caption>
      <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Details</th></tr></thead>
      <tbody>
        ${items.length === 0 && !error && html`<tr><td colspan="6" class="muted">No entries.</td></tr>`}
        ${items.map((e) => html`<tr key=${e.id} class=${e.outcome === 'refused' ? 'refused' : ''}>
          <td class="nowrap">${formatDateTime(e.at)}</td>
          <td>${e.actor.label || e.actor.type}</td>
          <td class="mono">${e.action}</td>
          <td class="mono small">${e.target.type ? `${e.target.type} ${e.target.id || ''}` : '—'}</td>
          <td>${e.outcome === 'refused' ? html`<span class="badge badge-warn">Refused</span>` : html`<span class="badge badge-ok">Done</span>`}</td>
          <td class="small details">${e.reason || summary(e)}</td>
        </tr>`)}
      </tbody>
    </table></div>
    ${cursor && html`<div><button type="button" onClick=${more}>Load more</button></div>`}
  </section>`;
}
