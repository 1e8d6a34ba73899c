import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, patch, post } from './api.js';
import { ActivityChart } from './chart.js';
import { Badge, ConfirmDialog, Dialog, Notice, SecretOnce, useNotice } from './components.js';
import { ago, formatDate, formatDateTime, ROLE_LABEL, SEAT_LABEL, STATUS_LABEL } from './format.js';
import { html } from './html.js';

const STATUS_BADGE = { active: 'ok', pending: 'warn', deactivated: 'off' };
const PAGE_SIZE = 25;

function LastActive({ user }) {
  const id = `activity-${user.id}`;
  const a = user.activity;
  return html`<span class="tip">
    <button type="button" class="link tip-trigger" aria-describedby=${id}>
      ${user.status === 'pending' ? 'Invite pending' : ago(a.lastActiveAt)}
    </button>
    <span role="tooltip" id=${id} class="tooltip">
      <strong>Activity summary</strong>
      <span>Added ${formatDate(a.addedAt)}</span>
      <span>Last active ${formatDateTime(a.lastActiveAt)}</span>
      <span>${a.daysActive} ${a.daysActive === 1 ? 'day' : 'days'} active</span>
      <span>${user.linked ? `Last signed in ${formatDateTime(user.lastSignInAt)}` : 'Not signed in yet (the record waits for its person\u2019s first sign-in)'}</span>
    </span>
  </span>`;
}

function UserRow({ user, may, onChange, onAsk }) {
  const label = user.name;
  const deactivated = user.status === 'deactivated';
  return html`<tr data-user=${user.userName}>
    <th scope="row">
      <span class="name">${label}</span>
      ${(user.name !== user.userName || user.billingAdmin) && html`<span class="muted small">${user.name !== user.userName ? user.userName : ''}${user.billingAdmin ? `${user.name !== user.userName ? ' · ' : ''}Billing admin` : ''}</span>`}
    </th>
    <td><${LastActive} user=${user} /></td>
    <td>
      ${deactivated
        ? html`<span>Deactivated</span>`
        : may.changeRole
          ? html`<select aria-label=${`Organization role of ${user.userName}`} value=${user.orgRole} onChange=${(e) => onChange(user, { orgRole: e.currentTarget.value }, e.currentTarget)}>
              ${Object.entries(ROLE_LABEL).map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
            </select>`
          : ROLE_LABEL[user.orgRole]}
    </td>
    <td>
      ${may.changeSeat
        ? html`<select aria-label=${`Models seat of ${user.userName}`} value=${user.modelsSeat} onChange=${(e) => onChange(user, { modelsSeat: e.currentTarget.value }, e.currentTarget)}>
            ${Object.entries(SEAT_LABEL).map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
          </select>`
        : SEAT_LABEL[user.modelsSeat]}
    </td>
    <td class="email">${user.email || '—'}</td>
    <td>${user.teams.length ? user.teams.map((t) => t.name).join(', ') : html`<span class="muted">—</span>`}</td>
    <td><${Badge} kind=${STATUS_BADGE[user.status]}>${STATUS_LABEL[user.status]}<//></td>
    ${(may.changeStatus || may.remove) &&
    html`<td class="actions">
      ${may.changeStatus && user.status === 'active' && html`<button type="button" class="small" onClick=${() => onAsk('deactivate', user)}>Deactivate</button>`}
      ${may.changeStatus && deactivated && html`<button type="button" class="small" onClick=${() => onAsk('reactivate', user)}>Reactivate</button>`}
      ${may.remove && html`<button type="button" class="small danger" onClick=${() => onAsk('remove', user)}>Remove</button>`}
    </td>`}
  </tr>`;
}

function InviteDialog({ org, open, teams, defaultSeat, onClose, onInvited }) {
  const [who, setWho] = useState('');
  const [role, setRole] = useState('member');
  const [seat, setSeat] = useState(defaultSeat || 'full');
  const [picked, setPicked] = useState([]);
  const { notice, run } = useNotice();
  useEffect(() => {
    if (open) {
      setWho('');
      setRole('member');
      setSeat(defaultSeat || 'full');
      setPicked([]);
    }
  }, [open]);
  const submit = async (e) => {
    e.preventDefault();
    const r = await run(() => post(`/orgs/${org}/invitations`, { emailOrUserName: who, orgRole: role, modelsSeat: seat, teamIds: picked }));
    if (r.ok) onInvited(r.value);
  };
  const toggle = (id, on) => setPicked((p) => (on ? [...p, id] : p.filter((x) => x !== id)));
  return html`<${Dialog} open=${open} title="Invite a user" onClose=${onClose}>
    <form onSubmit=${submit} class="form">
      <${Notice} notice=${notice} />
      <label for="invite-who">Email or username</label>
      <input id="invite-who" required autocomplete="off" value=${who} onInput=${(e) => setWho(e.currentTarget.value)} />
      <label for="invite-role">Organization role</label>
      <select id="invite-role" value=${role} onChange=${(e) => setRole(e.currentTarget.value)}>
        ${Object.entries(ROLE_LABEL).map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
      </select>
      <label for="invite-seat">Models seat</label>
      <select id="invite-seat" value=${seat} onChange=${(e) => setSeat(e.currentTarget.value)}>
        ${Object.entries(SEAT_LABEL).map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
      </select>
      ${teams.length > 0 &&
      html`<fieldset>
        <legend>Teams</legend>
        ${teams.map((t) => html`<div class="check" key=${t.id}>
          <input type="checkbox" id=${`invite-team-${t.id}`} checked=${picked.includes(t.id)} onChange=${(e) => toggle(t.id, e.currentTarget.checked)} />
          <label for=${`invite-team-${t.id}`}>${t.name}</label>
        </div>`)}
      </fieldset>`}
      <div class="dialog-actions">
        <button type="button" onClick=${onClose}>Cancel</button>
        <button type="submit" class="primary">Invite</button>
      </div>
    </form>
  <//>`;
}

/** A role or seat change, said in words before it is sent (a select fires on every arrow key). */
function askChange(u, body) {
  if (body.orgRole !== undefined) {
    const demotion = u.orgRole === 'admin' && body.orgRole !== 'admin';
    return {
      title: 'Change role',
      message: `Change ${u.userName}'s organization role from ${ROLE_LABEL[u.orgRole]} to ${ROLE_LABEL[body.orgRole]}?${demotion ? ' They will no longer administer the organization.' : ''}`,
      confirm: 'Change role',
      danger: demotion,
    };
  }
  return { title: 'Change seat', message: `Change ${u.userName}'s Models seat from ${SEAT_LABEL[u.modelsSeat]} to ${SEAT_LABEL[body.modelsSeat]}?`, confirm: 'Change seat', danger: body.modelsSeat === 'none' };
}

const ASK = {
  change: askChange,
  deactivate: (u) => ({ title: 'Deactivate user', message: `Deactivate ${u.userName}? Their access to this organization and its API keys end now and their seat is freed; their roles are kept for a later reactivation. Their other organizations are not affected.`, confirm: 'Deactivate', danger: true }),
  reactivate: (u) => ({ title: 'Reactivate user', message: `Reactivate ${u.userName} with the roles they had? They need a free seat.`, confirm: 'Reactivate', danger: false }),
  remove: (u) => ({ title: 'Remove user', message: `Remove ${u.userName} from the organization and its teams? Their runs, reports and history stay.`, confirm: 'Remove user', danger: true }),
};

/** The organization dashboard's Users page. */
export function UsersPage({ org, orgInfo, perms }) {
  const may = {
    view: perms.has('org.users.view'),
    invite: perms.has('org.users.invite'),
    changeRole: perms.has('org.users.changeRole'),
    changeSeat: perms.has('org.users.changeSeat'),
    changeStatus: perms.has('org.users.changeStatus'),
    remove: perms.has('org.users.remove'),
    export: perms.has('org.users.export'),
  };
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const [data, setData] = useState(null);
  const [teams, setTeams] = useState([]);
  const [inviting, setInviting] = useState(false);
  const [invited, setInvited] = useState(null);
  const [asking, setAsking] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const version = useRef(0);

  const load = async () => {
    const v = ++version.current;
    const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
    if (q.trim()) params.set('q', q.trim());
    if (status) params.set('status', status);
    try {
      const d = await get(`/orgs/${org}/users?${params}`);
      if (v === version.current) setData(d);
    } catch (err) {
      setNotice({ kind: 'error', text: err.message });
    }
  };
  useEffect(() => {
    if (!may.view) return undefined;
    const t = setTimeout(load, q ? 200 : 0);
    return () => clearTimeout(t);
  }, [org, q, status, page]);
  useEffect(() => {
    if (may.invite) get(`/orgs/${org}/teams`).then((d) => setTeams(d.items), () => setTeams([]));
  }, [org]);

  if (!may.view && perms.has('system.activity.view')) {
    // A system admin who is not a member sees the activity dashboard, not the people.
    return html`<div class="page"><div class="page-head"><h1>Activity</h1></div><${ActivityChart} org=${org} /></div>`;
  }
  if (!may.view) return html`<p>You do not have access to the organization's users.</p>`;

  const change = async (user, body, select) => {
    const r = await run(() => patch(`/orgs/${org}/users/${user.id}`, body), `Updated ${user.userName}.`);
    if (!r.ok && select) {
      // The server refused: show what is really stored, not what was picked.
      select.value = body.orgRole ? user.orgRole : user.modelsSeat;
    }
    await load();
  };
  // A select only proposes: the change is sent once it is confirmed.
  const propose = (user, body, select) => setAsking({ action: 'change', user, body, select });
  const cancel = () => {
    if (asking?.action === 'change' && asking.select) asking.select.value = asking.body.orgRole !== undefined ? asking.user.orgRole : asking.user.modelsSeat;
    setAsking(null);
  };
  const confirm = async () => {
    const { action, user, body, select } = asking;
    setAsking(null);
    if (action === 'change') {
      await change(user, body, select);
      return;
    }
    const call = action === 'remove' ? () => del(`/orgs/${org}/users/${user.id}`) : () => post(`/orgs/${org}/users/${user.id}/${action}`);
    const done = { remove: 'removed', deactivate: 'deactivated', reactivate: 'reactivated' }[action];
    await run(call, `${user.userName} ${done}.`);
    await load();
  };
  const ask = asking && ASK[asking.action](asking.user, asking.body);
  const total = data ? data.total : 0;
  const from = total ? (page - 1) * PAGE_SIZE + 1 : 0;
  const to = Math.min(total, page * PAGE_SIZE);

  return html`<div class="page">
    <div class="page-head">
      <h1>Users</h1>
      <div class="toolbar">
        ${may.invite && html`<button type="button" class="primary" onClick=${() => setInviting(true)}>Invite user</button>`}
        ${may.export && html`<a class="button" href=${`/api/v1/orgs/${org}/users.csv`} download>Export as CSV</a>`}
      </div>
    </div>
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    <div class="cards">
      <${ActivityChart} org=${org} />
      ${orgInfo && html`<section class="card seats" aria-labelledby="seats-title">
        <h2 id="seats-title">Seats</h2>
        <dl>
          <dt>Full seats</dt><dd>${orgInfo.seatsUsed.full}${orgInfo.seatLicense.fullSeats === null ? '' : ` of ${orgInfo.seatLicense.fullSeats}`}</dd>
          <dt>Viewer seats</dt><dd>${orgInfo.seatsUsed.viewer}${orgInfo.seatLicense.viewerSeats === null ? '' : ` of ${orgInfo.seatLicense.viewerSeats}`}</dd>
          <dt>No seat</dt><dd>${orgInfo.seatsUsed.none}</dd>
        </dl>
      </section>`}
    </div>
    <div class="filters" role="search">
      <label for="user-search" class="visually-hidden">Search users</label>
      <input id="user-search" type="search" placeholder="Search by name, username or email" value=${q} onInput=${(e) => { setQ(e.currentTarget.value); setPage(1); }} />
      <label for="user-status" class="visually-hidden">Status</label>
      <select id="user-status" value=${status} onChange=${(e) => { setStatus(e.currentTarget.value); setPage(1); }}>
        <option value="">All statuses</option>
        ${Object.entries(STATUS_LABEL).map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
      </select>
    </div>
    <div class="table-wrap">
      <table class="users">
        <caption class="visually-hidden">Users of the organization</caption>
        <thead><tr>
          <th scope="col">Name</th><th scope="col">Last active</th><th scope="col">Role</th><th scope="col">Seat</th>
          <th scope="col">Email</th><th scope="col">Teams</th><th scope="col">Status</th>
          ${(may.changeStatus || may.remove) && html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}
        </tr></thead>
        <tbody>
          ${data && data.items.map((u) => html`<${UserRow} key=${u.id} user=${u} may=${may} onChange=${propose} onAsk=${(action, user) => setAsking({ action, user })} />`)}
          ${data && data.items.length === 0 && html`<tr><td colspan="8" class="muted">No users match.</td></tr>`}
        </tbody>
      </table>
    </div>
    <nav class="pager" aria-label="Pages of users">
      <span aria-live="polite">${total ? `${from}–${to} of ${total}` : ''}</span>
      <button type="button" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>Previous</button>
      <button type="button" disabled=${to >= total} onClick=${() => setPage(page + 1)}>Next</button>
    </nav>
    <${InviteDialog} org=${org} open=${inviting} teams=${teams} defaultSeat=${orgInfo && orgInfo.settings.defaultModelsSeat}
      onClose=${() => setInviting(false)}
      onInvited=${(inv) => { setInviting(false); setInvited(inv); setNotice({ kind: 'success', text: `Invited ${inv.user.email || inv.user.userName}. They join with the link below or when they first sign in.` }); load(); }} />
    <${Dialog} open=${Boolean(invited)} title="Invitation link" onClose=${() => setInvited(null)}>
      ${invited && html`<p>Send this link to ${invited.user.email || invited.user.userName}. It can be used once, until ${formatDateTime(invited.expiresAt)}.</p>
        <${SecretOnce} label="Invitation link" secret=${invited.link} />`}
      <div class="dialog-actions"><button type="button" class="primary" onClick=${() => setInvited(null)}>Done</button></div>
    <//>
    <${ConfirmDialog} open=${Boolean(ask)} title=${ask ? ask.title : ''} message=${ask ? ask.message : ''} confirmLabel=${ask ? ask.confirm : ''} danger=${ask && ask.danger}
      onConfirm=${confirm} onCancel=${cancel} />
  </div>`;
}
