import { useEffect, useState } from 'preact/hooks';
import { del, get, patch, post } from './api.js';
import { Badge, Clip, ConfirmDialog, Dialog, LimitedInput, Notice, Switch, useNotice } from './components.js';
import { formatDate, TEAM_ROLE_LABEL } from './format.js';
import { html } from './html.js';

const PRIVACY_LABEL = { private: 'Private', team: 'Team', public: 'Public' };

function CreateTeamDialog({ org, open, onClose, onCreated }) {
  const [name, setName] = useState('');
  const [storage, setStorage] = useState('default');
  const { notice, run } = useNotice();
  useEffect(() => {
    if (open) {
      setName('');
      setStorage('default');
    }
  }, [open]);
  const submit = async (e) => {
    e.preventDefault();
    const r = await run(() => post(`/orgs/${org}/teams`, { name, storageType: storage }));
    if (r.ok) onCreated(r.value);
  };
  return html`<${Dialog} open=${open} title="Create a team" onClose=${onClose}>
    <form class="form" onSubmit=${submit}>
      <${Notice} notice=${notice} />
      <label for="team-name">Team name</label>
      <${LimitedInput} id="team-name" label="Team name" required max=${128} value=${name} onInput=${setName} />
      <label for="team-storage">Storage type</label>
      <select id="team-storage" value=${storage} onChange=${(e) => setStorage(e.currentTarget.value)}>
        <option value="default">Default (instance storage)</option>
        <option value="s3">Amazon S3 bucket</option>
        <option value="gcs">Google Cloud Storage bucket</option>
        <option value="azure">Azure Blob Storage</option>
      </select>
      <div class="dialog-actions">
        <button type="button" onClick=${onClose}>Cancel</button>
        <button type="submit" class="primary">Create team</button>
      </div>
    </form>
  <//>`;
}

/** Marks the organization's default team (new people from its verified domains join it). */
const DefaultBadge = () => html`<${Badge} kind="default">Default team<//>`;

export function TeamsPage({ org, orgInfo, perms, navigate }) {
  const [teams, setTeams] = useState(null);
  const [creating, setCreating] = useState(false);
  const { notice, setNotice } = useNotice();
  const mayCreate = perms.has('org.teams.create') || perms.has('system.teams.manage');
  const load = () => get(`/orgs/${org}/teams`).then((d) => setTeams(d.items), (e) => setNotice({ kind: 'error', text: e.message }));
  useEffect(() => {
    load();
  }, [org]);
  return html`<div class="page">
    <div class="page-head">
      <h1>Teams</h1>
      <div class="toolbar">${mayCreate && html`<button type="button" class="primary" onClick=${() => setCreating(true)}>Create team</button>`}</div>
    </div>
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    ${teams && teams.length === 0 && html`<div class="card empty-state"><p>${mayCreate ? 'No teams yet. A team groups people, their projects and their roles; create the first one with “Create team”.' : 'You are not a member of any team yet. A team admin or an organization admin can add you to one.'}</p></div>`}
    ${teams && teams.length > 0 &&
    html`<div class="table-wrap"><table class="stacking">
      <caption class="visually-hidden">Teams</caption>
      <thead><tr><th scope="col">Team</th><th scope="col">Members</th><th scope="col">Your role</th><th scope="col">Privacy</th><th scope="col">Created</th></tr></thead>
      <tbody>${teams.map((t) => html`<tr key=${t.id}>
        <th scope="row"><a href=${`#/${org}/teams/${t.id}`} class="clip" title=${t.name}>${t.name}</a>${orgInfo && orgInfo.defaultTeamId === t.id && html` <${DefaultBadge} />`}</th>
        <td data-label="Members">${t.memberCount}</td>
        <td data-label="Your role">${t.myRole ? TEAM_ROLE_LABEL[t.myRole] : html`<span class="muted">—</span>`}</td>
        <td data-label="Privacy">${PRIVACY_LABEL[t.settings.privacy]}</td>
        <td data-label="Created">${formatDate(t.createdAt)}</td>
      </tr>`)}</tbody>
    </table></div>`}
    <${CreateTeamDialog} org=${org} open=${creating} onClose=${() => setCreating(false)} onCreated=${(t) => { setCreating(false); navigate(`/${org}/teams/${t.id}`); }} />
  </div>`;
}

function roleValue(m) {
  return m.customRole ? `custom:${m.customRole.id}` : m.role;
}

function TeamSettings({ org, team, onSaved }) {
  const [name, setName] = useState(team.name);
  const [privacy, setPrivacy] = useState(team.settings.privacy);
  const [invite, setInvite] = useState(team.settings.membersCanInvite);
  const [matching, setMatching] = useState(team.settings.domainMatching);
  const { notice, run } = useNotice();
  const submit = async (e) => {
    e.preventDefault();
    const r = await run(() => patch(`/orgs/${org}/teams/${team.id}`, { name, privacy, membersCanInvite: invite, domainMatching: matching }), 'Team settings saved.');
    if (r.ok) onSaved();
  };
  return html`<section class="card" aria-labelledby="team-settings-title">
    <h2 id="team-settings-title">Team settings</h2>
    <form class="form" onSubmit=${submit}>
      <${Notice} notice=${notice} />
      <label for="ts-name">Team name</label>
      <${LimitedInput} id="ts-name" label="Team name" required max=${128} value=${name} onInput=${setName} />
      <label for="ts-privacy">Default project privacy</label>
      <select id="ts-privacy" value=${privacy} onChange=${(e) => setPrivacy(e.currentTarget.value)}>
        ${Object.entries(PRIVACY_LABEL).map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
      </select>
      <${Switch} id="ts-invite" label="Members may invite others" checked=${invite} onChange=${setInvite} />
      <${Switch} id="ts-matching" label="Recommend this team to new users with a matching email domain" checked=${matching} onChange=${setMatching} />
      <div><button type="submit" class="primary">Save settings</button></div>
    </form>
  </section>`;
}

export function TeamPage({ org, orgInfo, teamId, navigate }) {
  const [team, setTeam] = useState(null);
  const [roles, setRoles] = useState([]);
  const [who, setWho] = useState('');
  const [newRole, setNewRole] = useState('member');
  const [asking, setAsking] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const load = () => get(`/orgs/${org}/teams/${teamId}`).then(setTeam, (e) => setNotice({ kind: 'error', text: e.message }));
  useEffect(() => {
    load();
    get(`/orgs/${org}/custom-roles`).then((d) => setRoles(d.items), () => setRoles([]));
  }, [org, teamId]);
  if (!team) return html`<div class="page"><${Notice} notice=${notice} />${!notice && html`<p class="muted">Loading…</p>`}</div>`;
  const can = team.can;
  const isDefault = Boolean(orgInfo && orgInfo.defaultTeamId === team.id);
  const roleOptions = html`${Object.entries(TEAM_ROLE_LABEL).map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
    ${roles.length > 0 && html`<optgroup label="Custom roles">${roles.map((r) => html`<option value=${`custom:${r.id}`} key=${r.id}>${r.name}</option>`)}</optgroup>`}`;

  const setRole = async (m, value) => {
    const body = value.startsWith('custom:') ? { customRoleId: value.slice(7) } : { role: value };
    const r = await run(() => patch(`/orgs/${org}/teams/${team.id}/members/${m.userId}`, body), `Changed ${m.userName}'s team role.`);
    if (r.ok) setTeam({ ...r.value, can });
    else load();
  };
  // A select only proposes (arrow keys fire onChange): the change is sent once confirmed.
  const roleName = (value) => (value.startsWith('custom:') ? (roles.find((r) => `custom:${r.id}` === value) || { name: 'a custom role' }).name : TEAM_ROLE_LABEL[value]);
  const proposeRole = (m, select) => setAsking({ action: 'role', member: m, value: select.value, select });
  const cancel = () => {
    if (asking && asking.action === 'role') asking.select.value = roleValue(asking.member);
    setAsking(null);
  };
  const add = async (e) => {
    e.preventDefault();
    const body = newRole.startsWith('custom:') ? { user: who, customRoleId: newRole.slice(7) } : { user: who, role: newRole };
    const r = await run(() => post(`/orgs/${org}/teams/${team.id}/members`, body), `Added ${who} to ${team.name}.`);
    if (r.ok) {
      setWho('');
      setTeam({ ...r.value, can });
    }
  };
  const confirm = async () => {
    const a = asking;
    setAsking(null);
    if (a.action === 'role') {
      await setRole(a.member, a.value);
    } else if (a.action === 'remove') {
      const r = await run(() => del(`/orgs/${org}/teams/${team.id}/members/${a.member.userId}`), `Removed ${a.member.userName} from ${team.name}.`);
      if (r.ok) load();
    } else {
      const r = await run(() => del(`/orgs/${org}/teams/${team.id}`));
      if (r.ok) navigate(`/${org}/teams`);
    }
  };

  return html`<div class="page">
    <p class="crumbs"><a href=${`#/${org}/teams`}>Teams</a> / <span aria-current="page">${team.name}</span></p>
    ${isDefault && html`<p class="hint">This is the organization's default team: people who join through a verified domain are added to it.</p>`}
    <div class="page-head">
      <h1>${team.name}${isDefault && html` <${DefaultBadge} />`}</h1>
      <div class="toolbar">${can.delete && html`<button type="button" class="danger" onClick=${() => setAsking({ action: 'delete' })}>Delete team</button>`}</div>
    </div>
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    <section class="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      ${can.addMembers &&
      html`<form class="inline-form" onSubmit=${add}>
        <label for="add-member">Add a member of the organization</label>
        <${LimitedInput} id="add-member" label="Email or username" required max=${320} placeholder="Email or username" value=${who} onInput=${setWho} />
        ${can.assignRoles && html`<label for="add-member-role" class="visually-hidden">Team role</label>
        <select id="add-member-role" value=${newRole} onChange=${(e) => setNewRole(e.currentTarget.value)}>${roleOptions}</select>`}
        <button type="submit" class="primary">Add</button>
      </form>`}
      ${team.members.length === 0 && html`<p class="empty-state">No members yet.${can.addMembers ? ' Add a member of the organization above.' : ''}</p>`}
      ${team.members.length > 0 && html`<div class="table-wrap"><table class="stacking">
        <caption class="visually-hidden">Members of ${team.name}</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Team role</th>${can.removeMembers && html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}</tr></thead>
        <tbody>${team.members.map((m) => html`<tr key=${m.userId} data-user=${m.userName}>
          <th scope="row"><${Clip} className="name" text=${m.name} />${(m.email || m.userName) !== m.name && html`<${Clip} className="muted small secondary" text=${m.email || m.userName} />`}</th>
          <td data-label="Team role">${can.assignRoles
            ? html`<select aria-label=${`Team role of ${m.userName}`} value=${roleValue(m)} onChange=${(e) => proposeRole(m, e.currentTarget)}>${roleOptions}</select>`
            : m.customRole ? m.customRole.name : TEAM_ROLE_LABEL[m.role]}</td>
          ${can.removeMembers && html`<td class="actions"><button type="button" class="small danger" onClick=${() => setAsking({ action: 'remove', member: m })}>Remove</button></td>`}
        </tr>`)}</tbody>
      </table></div>`}
    </section>
    ${can.manageSettings && html`<${TeamSettings} key=${team.id} org=${org} team=${team} onSaved=${load} />`}
    ${!can.manageSettings &&
    html`<section class="card"><h2>Team settings</h2><dl>
      <dt>Default project privacy</dt><dd>${PRIVACY_LABEL[team.settings.privacy]}</dd>
      <dt>Storage</dt><dd>${team.storageType}</dd>
    </dl></section>`}
    <${ConfirmDialog} open=${Boolean(asking)}
      title=${asking ? { delete: 'Delete team', remove: 'Remove member', role: 'Change team role' }[asking.action] : ''}
      message=${!asking ? '' : asking.action === 'delete' ? `Delete ${team.name}? Its memberships go; runs and reports logged by its members stay.`
        : asking.action === 'role' ? `Change ${asking.member.userName}'s role in ${team.name} from ${roleName(roleValue(asking.member))} to ${roleName(asking.value)}?${asking.member.role === 'admin' && asking.value !== 'admin' ? ' They will no longer administer this team.' : ''}`
        : `Remove ${asking.member.userName} from ${team.name}? Their runs stay.`}
      confirmLabel=${asking ? { delete: 'Delete team', remove: 'Remove', role: 'Change role' }[asking.action] : ''}
      danger=${Boolean(asking && (asking.action !== 'role' || (asking.member.role === 'admin' && asking.value !== 'admin')))}
      onConfirm=${confirm} onCancel=${cancel} />
  </div>`;
}
