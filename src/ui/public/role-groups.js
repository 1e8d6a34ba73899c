import { useEffect, useState } from 'preact/hooks';
import { del, get, post } from './api.js';
import { ConfirmDialog, LimitedInput, Notice, useNotice } from './components.js';
import { ROLE_LABEL, TEAM_ROLE_LABEL } from './format.js';
import { html } from './html.js';

// What an admin types for each kind of source: SCIM and OIDC groups have names; an LDAP
// group is named by its full DN (a same-named group elsewhere in the directory must not match).
const PLACEHOLDER = { scim: 'e.g. ml-platform-admins', ldap: 'e.g. cn=ml-admins,ou=groups,dc=example,dc=org', oidc: 'e.g. ml-platform-admins' };
const kindOf = (source) => (source.startsWith('oidc:') ? 'oidc' : source);

/**
 * Role groups: an IdP group → an organization or team role. Each applies to the groups of
 * one source: SCIM pushes, or one sign-in provider's groups (those that trust this organization).
 */
export function RoleGroups({ org }) {
  const [items, setItems] = useState(null);
  const [sources, setSources] = useState([{ source: 'scim', label: 'SCIM' }]);
  const [teams, setTeams] = useState([]);
  const [source, setSource] = useState('scim');
  const [group, setGroup] = useState('');
  const [grant, setGrant] = useState('org:member');
  const [deleting, setDeleting] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const load = () =>
    get(`/orgs/${org}/role-groups`).then(
      (d) => {
        setItems(d.items);
        setSources(d.sources);
      },
      (e) => setNotice({ kind: 'error', text: e.message }),
    );
  useEffect(() => {
    load();
    get(`/orgs/${org}/teams`).then((d) => setTeams(d.items), () => setTeams([]));
  }, [org]);
  const teamName = (id) => (teams.find((t) => t.id === id) || { name: 'a deleted team' }).name;
  // A role group may outlive its provider's configuration: show the raw source then.
  const sourceLabel = (s) => (sources.find((x) => x.source === s) || { label: s }).label;
  const create = async (e) => {
    e.preventDefault();
    const [kind, a, b] = grant.split(':');
    const body = kind === 'org' ? { source, groupName: group, orgRole: a } : { source, groupName: group, teamId: a, teamRole: b };
    const r = await run(() => post(`/orgs/${org}/role-groups`, body), `Mapped group "${group}".`);
    if (r.ok) {
      setGroup('');
      load();
    }
  };
  const remove = async () => {
    const g = deleting;
    setDeleting(null);
    const r = await run(() => del(`/orgs/${org}/role-groups/${g.id}`), `Removed the mapping of "${g.groupName}".`);
    if (r.ok) load();
  };
  return html`<section class="card" aria-labelledby="role-groups-title">
    <h2 id="role-groups-title">Role groups</h2>
    <p class="hint">Members of these identity-provider groups get the role named here instead of plain membership. A mapping applies only to groups from its source: SCIM pushes, or one sign-in provider's groups claim (an LDAP group by its full DN).</p>
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    <form class="inline-form" onSubmit=${create}>
      <label for="rg-source">Source</label>
      <select id="rg-source" value=${source} onChange=${(e) => setSource(e.currentTarget.value)}>
        ${sources.map((s) => html`<option key=${s.source} value=${s.source}>${s.label}</option>`)}
      </select>
      <label for="rg-name">IdP group</label>
      <${LimitedInput} id="rg-name" label="IdP group" required max=${1024} placeholder=${PLACEHOLDER[kindOf(source)]} value=${group} onInput=${setGroup} />
      <label for="rg-grant">grants</label>
      <select id="rg-grant" value=${grant} onChange=${(e) => setGrant(e.currentTarget.value)}>
        <optgroup label="Organization role">
          ${Object.entries(ROLE_LABEL).map(([v, l]) => html`<option key=${v} value=${`org:${v}`}>Organization ${l.toLowerCase()}</option>`)}
        </optgroup>
        ${teams.map((t) => html`<optgroup key=${t.id} label=${`Team ${t.name}`}>
          ${Object.entries(TEAM_ROLE_LABEL).map(([v, l]) => html`<option key=${v} value=${`team:${t.id}:${v}`}>${t.name}: ${l}</option>`)}
        </optgroup>`)}
      </select>
      <button type="submit" class="primary">Add mapping</button>
    </form>
    <div class="table-wrap"><table>
      <caption class="visually-hidden">Role groups</caption>
      <thead><tr><th scope="col">IdP group</th><th scope="col">Source</th><th scope="col">Grants</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        ${items && items.length === 0 && html`<tr><td colspan="4" class="muted">No role groups.</td></tr>`}
        ${items && items.map((g) => html`<tr key=${g.id} data-group=${g.groupName} data-source=${g.source}>
          <th scope="row" class="mono">${g.groupName}</th>
          <td>${sourceLabel(g.source)}</td>
          <td>${g.orgRole ? `Organization ${ROLE_LABEL[g.orgRole].toLowerCase()}` : `${TEAM_ROLE_LABEL[g.teamRole]} of ${teamName(g.teamId)}`}</td>
          <td class="actions"><button type="button" class="small danger" onClick=${() => setDeleting(g)}>Remove</button></td>
        </tr>`)}
      </tbody>
    </table></div>
    <${ConfirmDialog} open=${Boolean(deleting)} title="Remove role group" message=${deleting ? `Stop mapping "${deleting.groupName}" (${sourceLabel(deleting.source)})? Roles already granted stay until the next sync.` : ''}
      confirmLabel="Remove" danger=${true} onConfirm=${remove} onCancel=${() => setDeleting(null)} />
  </section>`;
}
