import { useEffect, useState } from 'preact/hooks';
import { del, get, patch, post } from './api.js';
import { ConfirmDialog, CopyButton, Dialog, Notice, Switch, useNotice } from './components.js';
import { formatDateTime } from './format.js';
import { html } from './html.js';

// Settings › Webhooks: endpoints that receive this organization's directory change events,
// signed the Standard Webhooks way; the signing secret is shown once (at creation and at
// rotation); the delivery log of an endpoint, with redelivery of what failed.

function SecretShown({ secret, onClose, rotated }) {
  return html`<${Dialog} open=${Boolean(secret)} title="Signing secret" onClose=${onClose}>
    <p>${rotated ? 'The new secret signs deliveries from now on; the previous one stays valid for 24 hours (deliveries carry both signatures meanwhile).' : 'Receivers verify the webhook-signature header with this secret.'}</p>
    <div class="secret-row"><input class="mono" readonly aria-label="Signing secret" value=${secret || ''} onFocus=${(e) => e.currentTarget.select()} /><${CopyButton} text=${secret || ''} label="Copy the signing secret" /></div>
    <p class="hint">Copy it now: it is not shown again.</p>
    <div class="dialog-actions"><button type="button" class="primary" onClick=${onClose}>Done</button></div>
  <//>`;
}

function Deliveries({ org, endpoint, onClose }) {
  const [items, setItems] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const load = () => get(`/orgs/${org}/webhooks/${endpoint.id}/deliveries?limit=50`).then((d) => setItems(d.items), (e) => setNotice({ kind: 'error', text: e.message }));
  useEffect(() => {
    load();
  }, [endpoint.id]);
  const redeliver = async (d) => {
    const r = await run(() => post(`/orgs/${org}/webhooks/${endpoint.id}/deliveries/${d.id}/redeliver`), `Delivery ${d.messageId} will be sent again.`);
    if (r.ok) load();
  };
  return html`<section class="card" aria-labelledby="deliveries-title">
    <h2 id="deliveries-title">Deliveries to ${endpoint.url}</h2>
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    <div class="toolbar"><button type="button" class="small" onClick=${load}>Refresh</button><button type="button" class="small" onClick=${onClose}>Close</button></div>
    <div class="table-wrap"><table>
      <caption class="visually-hidden">Recent deliveries</caption>
      <thead><tr><th scope="col">Event</th><th scope="col">When</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Response</th><th scope="col">Latency</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        ${items && items.length === 0 && html`<tr><td colspan="7" class="muted">No deliveries yet.</td></tr>`}
        ${items && items.map((d) => html`<tr key=${d.id}>
          <th scope="row"><span class="mono">${d.eventType}</span></th>
          <td>${formatDateTime(d.eventAt)}</td>
          <td><span class=${`badge ${d.status === 'delivered' ? 'badge-ok' : d.status === 'dead' ? 'badge-off' : ''}`}>${d.status === 'dead' ? 'Gave up' : d.status === 'pending' ? 'Pending' : 'Delivered'}</span></td>
          <td>${d.attempts}</td>
          <td>${d.lastStatusCode ?? (d.lastError ? html`<span title=${d.lastError}>No answer</span>` : '—')}</td>
          <td>${d.lastLatencyMs === null ? '—' : `${d.lastLatencyMs} ms`}</td>
          <td class="actions">${d.status !== 'pending' && html`<button type="button" class="small" onClick=${() => redeliver(d)}>Redeliver</button>`}</td>
        </tr>`)}
      </tbody>
    </table></div>
  </section>`;
}

export function Webhooks({ org }) {
  const [items, setItems] = useState(null);
  const [types, setTypes] = useState([]);
  const [url, setUrl] = useState('');
  const [chosen, setChosen] = useState(new Set(['*']));
  const [secret, setSecret] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const [viewing, setViewing] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const load = () => get(`/orgs/${org}/webhooks`).then((d) => setItems(d.items), (e) => setNotice({ kind: 'error', text: e.message }));
  useEffect(() => {
    load();
    get(`/orgs/${org}/webhooks/event-types`).then((d) => setTypes(d.items), () => setTypes([]));
  }, [org]);
  const toggle = (t) => {
    const next = new Set(chosen);
    if (next.has(t)) next.delete(t);
    else next.add(t);
    if (t !== '*') next.delete('*');
    setChosen(next.size ? next : new Set(['*']));
  };
  const create = async (e) => {
    e.preventDefault();
    const r = await run(() => post(`/orgs/${org}/webhooks`, { url, eventTypes: [...chosen] }));
    if (r.ok) {
      setUrl('');
      setSecret({ value: r.value.secret, rotated: false });
      load();
    }
  };
  const rotate = async (w) => {
    const r = await run(() => post(`/orgs/${org}/webhooks/${w.id}/rotate-secret`));
    if (r.ok) setSecret({ value: r.value.secret, rotated: true });
    load();
  };
  const enable = async (w, enabled) => {
    const r = await run(() => patch(`/orgs/${org}/webhooks/${w.id}`, { enabled }));
    if (r.ok) load();
  };
  const remove = async () => {
    const w = deleting;
    setDeleting(null);
    const r = await run(() => del(`/orgs/${org}/webhooks/${w.id}`), `Deleted the endpoint ${w.url}.`);
    if (r.ok) load();
  };
  return html`<div class="stack">
    <section class="card" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p class="hint">Endpoints receive this organization's directory changes (people provisioned, deactivated, removed; roles, seats and teams changed…), signed per Standard Webhooks, at least once and in order per person.</p>
      <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
      <form onSubmit=${create}>
        <div class="field">
          <label for="webhook-url">Endpoint URL (https)</label>
          <input id="webhook-url" type="url" required maxlength="2000" placeholder="https://hooks.example.com/orgbridge" value=${url} onInput=${(e) => setUrl(e.currentTarget.value)} />
        </div>
        <fieldset class="field"><legend>Events</legend>
          <label><input type="checkbox" checked=${chosen.has('*')} onChange=${() => setChosen(new Set(['*']))} /> All events</label>
          ${types.map((t) => html`<label key=${t}><input type="checkbox" checked=${chosen.has(t)} onChange=${() => toggle(t)} /> <span class="mono">${t}</span></label>`)}
        </fieldset>
        <button type="submit" class="primary">Add endpoint</button>
      </form>
      <div class="table-wrap"><table>
        <caption class="visually-hidden">Webhook endpoints</caption>
        <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Enabled</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          ${items && items.length === 0 && html`<tr><td colspan="5" class="muted">None yet.</td></tr>`}
          ${items && items.map((w) => html`<tr key=${w.id}>
            <th scope="row" class="mono">${w.url}</th>
            <td>${w.eventTypes.includes('*') ? 'All' : w.eventTypes.join(', ')}</td>
            <td><${Switch} id=${`webhook-on-${w.id}`} label=${w.enabled ? 'On' : 'Off'} checked=${w.enabled} onChange=${(v) => enable(w, v)} /></td>
            <td>${formatDateTime(w.createdAt)}</td>
            <td class="actions">
              <button type="button" class="small" onClick=${() => setViewing(w)}>Deliveries</button>
              <button type="button" class="small" onClick=${() => rotate(w)}>Rotate secret</button>
              <button type="button" class="small danger" onClick=${() => setDeleting(w)}>Delete</button>
            </td>
          </tr>`)}
        </tbody>
      </table></div>
    </section>
    ${viewing && html`<${Deliveries} key=${viewing.id} org=${org} endpoint=${viewing} onClose=${() => setViewing(null)} />`}
    <${SecretShown} secret=${secret && secret.value} rotated=${secret && secret.rotated} onClose=${() => setSecret(null)} />
    <${ConfirmDialog} open=${Boolean(deleting)} title="Delete endpoint" message=${deleting ? `Delete ${deleting.url}? Its pending deliveries are dropped.` : ''}
      confirmLabel="Delete" danger=${true} onConfirm=${remove} onCancel=${() => setDeleting(null)} />
  </div>`;
}
