import { useEffect, useState } from 'preact/hooks';
import { get, put } from './api.js';
import { Notice, useNotice } from './components.js';
import { html } from './html.js';

// The organization's Models seat license and what is used of it (deactivated people hold
// no seat). Organization admins see it; the license itself is what the deployment's
// operator sold, so only a system admin changes it (PUT /seats needs
// system.settings.configure). An empty field means no limit.

const limitText = (n) => (n === null ? 'No limit' : String(n));
const parseLimit = (s) => (s.trim() === '' ? null : Number(s));

export function Seats({ org, perms }) {
  const mayEdit = perms.has('system.settings.configure');
  const [seats, setSeats] = useState(null);
  const [full, setFull] = useState('');
  const [viewer, setViewer] = useState('');
  const { notice, setNotice, run } = useNotice();
  const show = (d) => {
    setSeats(d);
    setFull(d.license.fullSeats === null ? '' : String(d.license.fullSeats));
    setViewer(d.license.viewerSeats === null ? '' : String(d.license.viewerSeats));
  };
  useEffect(() => {
    get(`/orgs/${org}/seats`).then(show, (e) => setNotice({ kind: 'error', text: e.message }));
  }, [org]);
  const save = async (e) => {
    e.preventDefault();
    const r = await run(() => put(`/orgs/${org}/seats`, { fullSeats: parseLimit(full), viewerSeats: parseLimit(viewer) }), 'Seat license saved.');
    if (r.ok) show(r.value);
  };
  const row = (label, used, limit) => {
    const over = limit !== null && used > limit;
    return html`<tr>
      <th scope="row">${label}</th>
      <td>${used}</td>
      <td>${limitText(limit)}</td>
      <td>${limit === null ? '—' : over ? html`<span class="badge badge-off">${used - limit} over</span>` : limit - used}</td>
    </tr>`;
  };
  return html`<div class="stack">
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    <section class="card" aria-labelledby="seats-title">
      <h2 id="seats-title">Models seats</h2>
      <p class="hint">Active and invited people hold the seat they were given; deactivated people hold none.</p>
      ${seats && html`<div class="table-wrap"><table class="seats">
        <thead><tr><th scope="col">Seat</th><th scope="col">In use</th><th scope="col">License</th><th scope="col">Free</th></tr></thead>
        <tbody>
          ${row('Full', seats.used.full, seats.license.fullSeats)}
          ${row('Viewer', seats.used.viewer, seats.license.viewerSeats)}
          <tr><th scope="row">None</th><td>${seats.used.none}</td><td>—</td><td>—</td></tr>
        </tbody>
      </table></div>`}
      ${mayEdit && seats && html`<form class="inline-form" onSubmit=${save}>
        <label for="license-full">Full seats</label>
        <input id="license-full" type="number" min="0" step="1" inputmode="numeric" placeholder="No limit" value=${full} onInput=${(e) => setFull(e.currentTarget.value)} />
        <label for="license-viewer">Viewer seats</label>
        <input id="license-viewer" type="number" min="0" step="1" inputmode="numeric" placeholder="No limit" value=${viewer} onInput=${(e) => setViewer(e.currentTarget.value)} />
        <button type="submit" class="primary">Save license</button>
      </form>`}
      ${mayEdit && html`<p class="hint">Leave a field empty for no limit. A lower license does not take seats from anyone; it refuses new ones until usage is under it.</p>`}
    </section>
  </div>`;
}
