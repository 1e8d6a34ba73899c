import { useEffect, useState } from 'preact/hooks';
import { del, get, patch, post } from './api.js';
import { Dialog, Notice, SecretOnce, useNotice } from './components.js';
import { formatDateTime } from './format.js';
import { html } from './html.js';

// Projects, registries, team service accounts and the "explain" panel (issue 15). The
// explain panel asks POST /api/v1/decisions — the same endpoint the platform uses — so
// what it shows is exactly what the platform is told.

const VISIBILITIES = ['team', 'restricted', 'open', 'public'];

function useList(path, deps) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const load = () => get(path).then((d) => setItems(d.items), (e) => setError(e.message));
  useEffect(() => {
    load();
  }, deps);
  return { items, error, load };
}

function Projects({ org, teams, people }) {
  const { items, error, load } = useList(`/orgs/${org}/projects`, [org]);
  const { notice, setNotice, run } = useNotice();
  const teamName = (id) => teams.find((t) => t.id === id)?.name ?? id;
  const person = (id) => people.find((p) => p.id === id)?.userName ?? id;
  const setVisibility = async (p, visibility) => {
    const r = await run(() => patch(`/orgs/${org}/projects/${p.id}`, { visibility }), `Project "${p.name}" is now ${visibility}.`);
    if (r.ok) load();
  };
  return html`<section class="card" aria-labelledby="projects-title">
    <h2 id="projects-title">Projects</h2>
    <p class="hint">Registered by the platform. Team: only the team; restricted: only team members given a project role; open: anyone in the organization may view, log runs and create reports; public: anyone in the organization may view.</p>
    <${Notice} notice=${notice || (error && { kind: 'error', text: error })} onDismiss=${() => setNotice(null)} />
    <div class="table-wrap"><table>
      <caption class="visually-hidden">Projects</caption>
      <thead><tr><th scope="col">Project</th><th scope="col">Team</th><th scope="col">Visibility</th><th scope="col">Project roles</th></tr></thead>
      <tbody>
        ${items && items.length === 0 && html`<tr><td colspan="4" class="muted">No projects registered yet.</td></tr>`}
        ${items && items.map((p) => html`<tr key=${p.id}>
          <th scope="row">${p.name}</th>
          <td>${teamName(p.team)}</td>
          <td><label class="visually-hidden" for=${`vis-${p.id}`}>Visibility of ${p.name}</label>
            <select id=${`vis-${p.id}`} value=${p.visibility} onChange=${(e) => setVisibility(p, e.currentTarget.value)}>
              ${VISIBILITIES.map((v) => html`<option key=${v} value=${v}>${v}</option>`)}
            </select></td>
          <td>${p.roles.length ? p.roles.map((r) => `${person(r.member)} (${r.role})`).join(', ') : html`<span class="muted">—</span>`}</td>
        </tr>`)}
      </tbody>
    </table></div>
  </section>`;
}

function Registries({ org, teams, people }) {
  const { items, error } = useList(`/orgs/${org}/registries`, [org]);
  const holder = (r) => (r.member ? people.find((p) => p.id === r.member)?.userName ?? r.member : `team ${teams.find((t) => t.id === r.team)?.name ?? r.team}`);
  return html`<section class="card" aria-labelledby="registries-title">
    <h2 id="registries-title">Registries</h2>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="table-wrap"><table>
      <caption class="visually-hidden">Registries</caption>
      <thead><tr><th scope="col">Registry</th><th scope="col">Visibility</th><th scope="col">Roles</th></tr></thead>
      <tbody>
        ${items && items.length === 0 && html`<tr><td colspan="3" class="muted">No registries registered yet.</td></tr>`}
        ${items && items.map((g) => html`<tr key=${g.id}>
          <th scope="row">${g.name}</th><td>${g.visibility}</td>
          <td>${g.roles.length ? g.roles.map((r) => `${holder(r)}: ${r.role}`).join(', ') : html`<span class="muted">—</span>`}</td>
        </tr>`)}
      </tbody>
    </table></div>
  </section>`;
}

function ServiceAccounts({ org, teams }) {
  const { items, error, load } = useList(`/orgs/${org}/service-accounts`, [org]);
  const [name, setName] = useState('');
  const [team, setTeam] = useState('');
  const [secret, setSecret] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const create = async (e) => {
    e.preventDefault();
    const r = await run(() => post(`/orgs/${org}/service-accounts`, { name, team: team || null }), `Service account "${name}" created.`);
    if (r.ok) {
      setName('');
      load();
    }
  };
  const newKey = async (a) => {
    const r = await run(() => post(`/orgs/${org}/service-accounts/${a.id}/keys`, { label: 'dashboard', expiresInDays: 90 }));
    if (r.ok) {
      setSecret(r.value.key);
      load();
    }
  };
  const revoke = async (a, k) => {
    const r = await run(() => del(`/orgs/${org}/service-accounts/${a.id}/keys/${k.id}`), 'Key revoked.');
    if (r.ok) load();
  };
  const remove = async (a) => {
    const r = await run(() => del(`/orgs/${org}/service-accounts/${a.id}`), `Service account "${a.name}" deleted; its keys are revoked.`);
    if (r.ok) load();
  };
  return html`<section class="card" aria-labelledby="sa-title">
    <h2 id="sa-title">Service accounts</h2>
    <p class="hint">Non-human identities for automation. They use no seat. Runs logged with their keys may be attributed (WANDB_USERNAME) only to active members of their team.</p>
    <${Notice} notice=${notice || (error && { kind: 'error', text: error })} onDismiss=${() => setNotice(null)} />
    <form class="inline-form" onSubmit=${create}>
      <label for="sa-name">Name</label>
      <input id="sa-name" required maxlength="128" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <label for="sa-team">Owner</label>
      <select id="sa-team" value=${team} onChange=${(e) => setTeam(e.currentTarget.value)}>
        <option value="">The organization</option>
        ${teams.map((t) => html`<option key=${t.id} value=${t.id}>Team ${t.name}</option>`)}
      </select>
      <button type="submit" class="primary">Create service account</button>
    </form>
    ${items && items.map((a) => html`<div key=${a.id} class="sa">
      <h3>${a.name} <span class="muted">${a.teamName ? `team ${a.teamName}` : 'organization'}</span></h3>
      <div class="table-wrap"><table>
        <caption class="visually-hidden">Keys of ${a.name}</caption>
        <thead><tr><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          ${a.keys.map((k) => html`<tr key=${k.id}>
            <th scope="row">${k.label || k.id.slice(0, 8)}</th>
            <td>${formatDateTime(k.createdAt)}</td>
            <td>${k.expiresAt ? formatDateTime(k.expiresAt) : 'Never'}</td>
            <td>${k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'Never'}</td>
            <td class="actions">${k.revokedAt ? 'Revoked' : html`<button type="button" class="small danger" onClick=${() => revoke(a, k)}>Revoke</button>`}</td>
          </tr>`)}
        </tbody>
      </table></div>
      <button type="button" class="small" onClick=${() => newKey(a)}>New key (90 days)</button>
      <button type="button" class="small danger" onClick=${() => remove(a)}>Delete</button>
    </div>`)}
    <${Dialog} open=${Boolean(secret)} title="New service account key" onClose=${() => setSecret(null)}>
      ${secret && html`<${SecretOnce} label="API key" secret=${secret} />`}
    <//>
  </section>`;
}

function Explain({ org, people, perms }) {
  const projects = useList(`/orgs/${org}/projects`, [org]).items ?? [];
  const [who, setWho] = useState('');
  const [permission, setPermission] = useState('experiments.log');
  const [projectId, setProjectId] = useState('');
  const [result, setResult] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const ask = async (e) => {
    e.preventDefault();
    const r = await run(() => post('/decisions', { checks: [{ principal: { type: 'person', memberId: who }, permission, resource: { type: 'project', id: projectId } }] }));
    if (r.ok) setResult(r.value.results[0]);
  };
  return html`<section class="card" aria-labelledby="explain-title">
    <h2 id="explain-title">Explain a decision</h2>
    <p class="hint">What the platform is told when it asks whether this person may do this in this project.</p>
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    <form class="inline-form" onSubmit=${ask}>
      <label for="ex-who">Person</label>
      <select id="ex-who" required value=${who} onChange=${(e) => setWho(e.currentTarget.value)}>
        <option value="">Choose…</option>
        ${people.map((p) => html`<option key=${p.id} value=${p.id}>${p.userName}</option>`)}
      </select>
      <label for="ex-perm">Permission</label>
      <select id="ex-perm" value=${permission} onChange=${(e) => setPermission(e.currentTarget.value)}>
        ${perms.map((p) => html`<option key=${p.id} value=${p.id}>${p.id}</option>`)}
      </select>
      <label for="ex-project">Project</label>
      <select id="ex-project" required value=${projectId} onChange=${(e) => setProjectId(e.currentTarget.value)}>
        <option value="">Choose…</option>
        ${projects.map((p) => html`<option key=${p.id} value=${p.id}>${p.name}</option>`)}
      </select>
      <button type="submit" class="primary">Explain</button>
    </form>
    ${result && html`<p role="status" class=${result.decision === 'allow' ? 'success' : 'error'}><strong>${result.decision === 'allow' ? 'Allowed' : 'Denied'}</strong>: ${result.reason}</p>`}
  </section>`;
}

/** The page behind the "Projects" entry of the dashboard's navigation. */
export function AccessResourcesPage({ org, perms }) {
  const [teams, setTeams] = useState([]);
  const [people, setPeople] = useState([]);
  const [catalog, setCatalog] = useState([]);
  useEffect(() => {
    get(`/orgs/${org}/teams`).then((d) => setTeams(d.items), () => setTeams([]));
    if (perms.has('org.users.view')) get(`/orgs/${org}/users?pageSize=200`).then((d) => setPeople(d.items), () => setPeople([]));
    get('/permissions').then((d) => setCatalog((d.items ?? d.permissions ?? []).filter((p) => ['reports', 'experiments', 'artifacts', 'projects'].includes(p.area))), () => setCatalog([]));
  }, [org]);
  return html`<div class="page">
    <h1>Projects and access</h1>
    <${Projects} org=${org} teams=${teams} people=${people} />
    <${Registries} org=${org} teams=${teams} people=${people} />
    <${ServiceAccounts} org=${org} teams=${teams} />
    ${perms.has('org.users.view') && html`<${Explain} org=${org} people=${people} perms=${catalog} />`}
  </div>`;
}
