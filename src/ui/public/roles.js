import { useEffect, useState } from 'preact/hooks';
import { del, get, patch, post } from './api.js';
import { ConfirmDialog, Dialog, LimitedInput, Notice, useNotice } from './components.js';
import { html } from './html.js';

const AREA_LABEL = { registry: 'Model registry', reports: 'Reports', experiments: 'Experiments', artifacts: 'Artifacts', projects: 'Projects' };

function RoleEditor({ open, role, catalog, onClose, onSave }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [base, setBase] = useState('viewer');
  const [perms, setPerms] = useState([]);
  const { notice, run } = useNotice();
  useEffect(() => {
    if (!open) return;
    setName(role ? role.name : '');
    setDescription(role ? role.description : '');
    setBase(role ? role.base : 'viewer');
    setPerms(role ? role.permissions : []);
  }, [open, role]);
  const baseRole = base === 'viewer' ? 'view-only' : 'member';
  const areas = [...new Set(catalog.map((p) => p.area))];
  const submit = async (e) => {
    e.preventDefault();
    await run(() => onSave({ name, description, base, permissions: perms }));
  };
  const toggle = (id, on) => setPerms((p) => (on ? [...p, id] : p.filter((x) => x !== id)));
  return html`<${Dialog} open=${open} title=${role ? `Edit role ${role.name}` : 'Create a custom role'} onClose=${onClose}>
    <form class="form" onSubmit=${submit}>
      <${Notice} notice=${notice} />
      <label for="role-name">Name</label>
      <${LimitedInput} id="role-name" label="Role name" required max=${100} value=${name} onInput=${setName} />
      <label for="role-description">Description (optional)</label>
      <${LimitedInput} id="role-description" label="Description" max=${1000} value=${description} onInput=${setDescription} />
      <fieldset>
        <legend>Based on</legend>
        <div class="check"><input type="radio" name="role-base" id="base-viewer" value="viewer" checked=${base === 'viewer'} onChange=${() => setBase('viewer')} /><label for="base-viewer">View-only</label></div>
        <div class="check"><input type="radio" name="role-base" id="base-member" value="member" checked=${base === 'member'} onChange=${() => setBase('member')} /><label for="base-member">Member</label></div>
      </fieldset>
      <fieldset class="perm-list">
        <legend>Additional permissions</legend>
        ${areas.map((area) => html`<div key=${area} class="perm-area">
          <h3>${AREA_LABEL[area] || area}</h3>
          ${catalog.filter((p) => p.area === area).map((p) => {
            const inherited = p.roles[baseRole] !== 'deny';
            const id = `perm-${p.id.replace(/\W/g, '-')}`;
            return html`<div class="check" key=${p.id}>
              <input type="checkbox" id=${id} checked=${inherited || perms.includes(p.id)} disabled=${inherited} onChange=${(e) => toggle(p.id, e.currentTarget.checked)} />
              <label for=${id}>${p.label}${inherited ? html` <span class="muted small">(${p.roles[baseRole] === 'own' ? 'on what they created, ' : ''}from ${base === 'viewer' ? 'View-only' : 'Member'})</span>` : ''}</label>
            </div>`;
          })}
        </div>`)}
      </fieldset>
      <div class="dialog-actions">
        <button type="button" onClick=${onClose}>Cancel</button>
        <button type="submit" class="primary">${role ? 'Save role' : 'Create role'}</button>
      </div>
    </form>
  <//>`;
}

/** Custom roles: a base (View-only or Member) plus permissions from the catalog. */
export function CustomRoles({ org }) {
  const [roles, setRoles] = useState(null);
  const [catalog, setCatalog] = useState([]);
  const [editing, setEditing] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const load = () => get(`/orgs/${org}/custom-roles`).then((d) => setRoles(d.items), (e) => setNotice({ kind: 'error', text: e.message }));
  useEffect(() => {
    load();
    get('/permissions').then((d) => setCatalog(d.items.filter((p) => p.customizable)), () => setCatalog([]));
  }, [org]);
  const labelOf = (id) => (catalog.find((p) => p.id === id) || { label: id }).label;
  const save = async (body) => {
    const role = editing.role;
    const out = role ? await patch(`/orgs/${org}/custom-roles/${role.id}`, body) : await post(`/orgs/${org}/custom-roles`, body);
    setEditing(null);
    setNotice({ kind: 'success', text: role ? `Saved role ${out.name}.` : `Created role ${out.name}.` });
    load();
  };
  const remove = async () => {
    const r = deleting;
    setDeleting(null);
    const res = await run(() => del(`/orgs/${org}/custom-roles/${r.id}`), `Deleted role ${r.name}; its holders went back to ${r.base === 'viewer' ? 'View-only' : 'Member'}.`);
    if (res.ok) load();
  };
  return html`<section class="card" aria-labelledby="roles-title">
    <div class="card-head">
      <h2 id="roles-title">Custom roles</h2>
      <button type="button" class="primary" onClick=${() => setEditing({ role: null })}>Create a role</button>
    </div>
    <p class="hint">Defined here, assigned to team members by team admins.</p>
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    <div class="table-wrap"><table class="stacking">
      <caption class="visually-hidden">Custom roles</caption>
      <thead><tr><th scope="col">Role</th><th scope="col">Based on</th><th scope="col">Additional permissions</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        ${roles && roles.length === 0 && html`<tr class="empty"><td colspan="4">No custom roles yet. Create one to give team members a base role plus chosen permissions.</td></tr>`}
        ${roles && roles.map((r) => html`<tr key=${r.id} data-role=${r.name}>
          <th scope="row">${r.name}${r.description && html`<span class="muted small">${r.description}</span>`}</th>
          <td data-label="Based on">${r.base === 'viewer' ? 'View-only' : 'Member'}</td>
          <td data-label="Additional permissions" class="wrap">${r.permissions.length ? r.permissions.map(labelOf).join(', ') : html`<span class="muted">None</span>`}</td>
          <td class="actions">
            <button type="button" class="small" onClick=${() => setEditing({ role: r })}>Edit</button>
            <button type="button" class="small danger" onClick=${() => setDeleting(r)}>Delete</button>
          </td>
        </tr>`)}
      </tbody>
    </table></div>
    <${RoleEditor} open=${Boolean(editing)} role=${editing && editing.role} catalog=${catalog} onClose=${() => setEditing(null)} onSave=${save} />
    <${ConfirmDialog} open=${Boolean(deleting)} title="Delete custom role"
      message=${deleting ? `Delete ${deleting.name}? People holding it go back to ${deleting.base === 'viewer' ? 'View-only' : 'Member'}.` : ''}
      confirmLabel="Delete role" danger=${true} onConfirm=${remove} onCancel=${() => setDeleting(null)} />
  </section>`;
}
