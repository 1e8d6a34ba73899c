import { useEffect, useState } from 'preact/hooks';
import { del, get, post } from './api.js';
import { ConfirmDialog, Dialog, Notice, SecretOnce, useNotice } from './components.js';
import { formatDateTime } from './format.js';
import { html } from './html.js';

/**
 * A list of revocable secrets (SCIM tokens, admin API keys): create with a label, see the
 * secret once in a copy dialog, revoke with confirmation.
 */
function SecretList({ org, path, title, noun, secretField, intro, expiry = false }) {
  const [items, setItems] = useState(null);
  const [label, setLabel] = useState('');
  const [days, setDays] = useState('');
  const [created, setCreated] = useState(null);
  const [revoking, setRevoking] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const load = () => get(`/orgs/${org}/${path}`).then((d) => setItems(d.items), (e) => setNotice({ kind: 'error', text: e.message }));
  useEffect(() => {
    load();
  }, [org]);
  const create = async (e) => {
    e.preventDefault();
    const body = expiry && days ? { label, expiresAt: new Date(Date.now() + Number(days) * 86_400_000).toISOString() } : { label };
    const r = await run(() => post(`/orgs/${org}/${path}`, body));
    if (r.ok) {
      setLabel('');
      setCreated(r.value);
      load();
    }
  };
  const revoke = async () => {
    const t = revoking;
    setRevoking(null);
    const r = await run(() => del(`/orgs/${org}/${path}/${t.id}`), `Revoked ${noun} "${t.label}".`);
    if (r.ok) load();
  };
  const id = path.replace(/\W/g, '');
  return html`<section class="card" aria-labelledby=${`${id}-title`}>
    <h2 id=${`${id}-title`}>${title}</h2>
    <p class="hint">${intro}</p>
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    <form class="inline-form" onSubmit=${create}>
      <label for=${`${id}-label`}>Label</label>
      <input id=${`${id}-label`} required maxlength="100" placeholder="e.g. Okta production" value=${label} onInput=${(e) => setLabel(e.currentTarget.value)} />
      ${expiry && html`<label for=${`${id}-expiry`}>Expires</label>
      <select id=${`${id}-expiry`} value=${days} onChange=${(e) => setDays(e.currentTarget.value)}>
        <option value="">Never</option><option value="30">In 30 days</option><option value="90">In 90 days</option><option value="365">In a year</option>
      </select>`}
      <button type="submit" class="primary">Create ${noun}</button>
    </form>
    <div class="table-wrap"><table>
      <caption class="visually-hidden">${title}</caption>
      <thead><tr><th scope="col">Label</th><th scope="col">Created</th>${expiry && html`<th scope="col">Expires</th>`}<th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        ${items && items.length === 0 && html`<tr><td colspan=${expiry ? 6 : 5} class="muted">None yet.</td></tr>`}
        ${items && items.map((t) => html`<tr key=${t.id} data-label=${t.label}>
          <th scope="row">${t.label}</th>
          <td>${formatDateTime(t.createdAt)}</td>
          ${expiry && html`<td>${t.expiresAt ? formatDateTime(t.expiresAt) : 'Never'}</td>`}
          <td>${t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</td>
          <td>${t.revokedAt
            ? html`<span class="badge badge-off">Revoked</span>`
            : t.expiresAt && Date.parse(t.expiresAt) <= Date.now()
              ? html`<span class="badge badge-off">Expired</span>`
              : html`<span class="badge badge-ok">Active</span>`}</td>
          <td class="actions">${!t.revokedAt && html`<button type="button" class="small danger" onClick=${() => setRevoking(t)}>Revoke</button>`}</td>
        </tr>`)}
      </tbody>
    </table></div>
    <${Dialog} open=${Boolean(created)} title=${`New ${noun}`} onClose=${() => setCreated(null)}>
      ${created && html`<${SecretOnce} label=${`${noun[0].toUpperCase()}${noun.slice(1)} for "${created.label}"`} secret=${created[secretField]} />`}
      <div class="dialog-actions"><button type="button" class="primary" onClick=${() => setCreated(null)}>Done</button></div>
    <//>
    <${ConfirmDialog} open=${Boolean(revoking)} title=${`Revoke ${noun}`}
      message=${revoking ? `Revoke "${revoking.label}"? Anything using it is refused from now on.` : ''}
      confirmLabel="Revoke" danger=${true} onConfirm=${revoke} onCancel=${() => setRevoking(null)} />
  </section>`;
}

export const ScimTokens = ({ org }) =>
  html`<${SecretList} org=${org} path="scim-tokens" title="SCIM tokens" noun="SCIM token" secretField="token"
    intro="Your identity provider sends one of these as its bearer token to /scim/v2. Each sees only this organization." />`;

export const ApiKeys = ({ org }) =>
  html`<${SecretList} org=${org} path="api-keys" title="Admin API keys" noun="API key" secretField="key" expiry=${true}
    intro="For automation against /api/v1: a key acts as an organization admin of this organization only, and only while you stay one." />`;
