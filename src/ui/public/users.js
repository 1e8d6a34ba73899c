import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, patch, post, put } from './api.js';
import { ActivityChart } from './chart.js';
import { Badge, Clip, ConfirmDialog, Dialog, LimitedInput, Notice, SecretOnce, SortHeader, useNotice } from './components.js';
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

/** A select that only proposes: the change is confirmed in a dialog (arrow keys fire onChange). */
function ProposeSelect({ label, value, labels, field, user, onChange }) {
  return html`<select aria-label=${label} value=${value} onChange=${(e) => onChange(user, { [field]: e.currentTarget.value }, e.currentTarget)}>
    ${Object.entries(labels).map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
  </select>`;
}

function Teams({ user }) {
  // A pending invitation's teams are joined on acceptance: say so.
  const pending = user.status === 'pending' && user.invitation;
  const teams = pending ? user.invitation.teams : user.teams;
  if (!teams.length) return html`<span class="muted">—</span>`;
  const text = teams.map((t) => t.name).join(', ');
  return html`<${Clip} text=${pending ? `${text} (on joining)` : text} />`;
}

function UserRow({ user, may, orgInfo, onChange, onAsk }) {
  const deactivated = user.status === 'deactivated';
  const pending = user.status === 'pending';
  // The address once: under the name when it differs from it, else the username.
  const secondary = user.email && user.email !== user.name ? user.email : user.userName !== user.name ? user.userName : '';
  const billing = orgInfo && orgInfo.billingAdminUserId === user.id;
  const billingEligible = user.orgRole === 'admin' && user.status === 'active';
  return html`<tr data-user=${user.userName}>
    <th scope="row" data-label="Name">
      <${Clip} className="name" text=${user.name} />
      ${secondary && html`<${Clip} className="muted small secondary" text=${secondary} />`}
    </th>
    <td data-label="Last active"><${LastActive} user=${user} /></td>
    <td data-label="Role">
      ${deactivated
        ? html`<span>Deactivated</span>`
        : may.changeRole
          ? html`<${ProposeSelect} label=${`Organization role of ${user.userName}`} value=${user.orgRole} labels=${ROLE_LABEL} field="orgRole" user=${user} onChange=${onChange} />`
          : ROLE_LABEL[user.orgRole]}
    </td>
    <td data-label="Models seat">
      ${may.changeSeat
        ? html`<${ProposeSelect} label=${`Models seat of ${user.userName}`} value=${user.modelsSeat} labels=${SEAT_LABEL} field="modelsSeat" user=${user} onChange=${onChange} />`
        : SEAT_LABEL[user.modelsSeat]}
    </td>
    <td data-label="Weave access">
      ${may.changeSeat
        ? html`<${ProposeSelect} label=${`Weave access of ${user.userName}`} value=${user.weaveAccess} labels=${SEAT_LABEL} field="weaveAccess" user=${user} onChange=${onChange} />`
        : SEAT_LABEL[user.weaveAccess]}
    </td>
    <td data-label="Teams" class="teams"><${Teams} user=${user} /></td>
    <td data-label="Status"><${Badge} kind=${STATUS_BADGE[user.status]}>${STATUS_LABEL[user.status]}<//>
      ${pending && user.invitation && html`<span class="muted small block">Link valid until ${formatDate(user.invitation.expiresAt)}</span>`}</td>
    <td data-label="Billing admin" class="billing">
      ${may.assignBilling && billingEligible
        ? html`<input type="radio" name="billing-admin" aria-label=${`Billing admin: ${user.userName}`} checked=${billing}
            onChange=${() => onAsk('billing', user)} />`
        : billing ? html`<${Badge} kind="ok">Billing admin<//>` : html`<span class="muted" aria-label="Not billing admin">—</span>`}
    </td>
    ${(may.changeStatus || may.remove || may.invite) &&
    html`<td class="actions" data-label="Actions">
      ${pending && may.invite && user.invitation && html`<button type="button" class="small" onClick=${() => onAsk('resend', user)}>Resend</button>`}
      ${pending && may.invite && user.invitation && html`<button type="button" class="small danger" onClick=${() => onAsk('revoke', user)}>Revoke</button>`}
      ${!pending && may.changeStatus && user.status === 'active' && html`<button type="button" class="small" onClick=${() => onAsk('deactivate', user)}>Deactivate</button>`}
      ${!pending && may.changeStatus && deactivated && html`<button type="button" class="small" onClick=${() => onAsk('reactivate', user)}>Reactivate</button>`}
      ${!pending && may.remove && html`<button type="button" class="small danger" onClick=${() => onAsk('remove', user)}>Remove</button>`}
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
      <${LimitedInput} id="invite-who" label="Email or username" required autocomplete="off" max=${320} value=${who} onInput=${setWho} />
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
  if (body.weaveAccess !== undefined) {
    return { title: 'Change Weave access', message: `Change ${u.userName}'s Weave access from ${SEAT_LABEL[u.weaveAccess]} to ${SEAT_LABEL[body.weaveAccess]}?`, confirm: 'Change Weave access', danger: body.weaveAccess === 'none' };
  }
  return { title: 'Change seat', message: `Change ${u.userName}'s Models seat from ${SEAT_LABEL[u.modelsSeat]} to ${SEAT_LABEL[body.modelsSeat]}?`, confirm: 'Change seat', danger: body.modelsSeat === 'none' };
}

/** The stored value behind a proposing select, to put back when the change is not made. */
const storedValue = (u, body) => (body.orgRole !== undefined ? u.orgRole : body.weaveAccess !== undefined ? u.weaveAccess : u.modelsSeat);

const ASK = {
  change: askChange,
  deactivate: (u) => ({ title: 'Deactivate user', message: `Deactivate ${u.userName}? Their access to this organization and its API keys end now and their seat is freed; their roles are kept for a later reactivation. Their other organizations are not affected.`, confirm: 'Deactivate', danger: true }),
  reactivate: (u) => ({ title: 'Reactivate user', message: `Reactivate ${u.userName} with the roles they had? They need a free seat.`, confirm: 'Reactivate', danger: false }),
  // People who never joined are not "removed", and have no runs to keep.
  revoke: (u) => ({ title: 'Revoke invitation', message: `Revoke the invitation to ${u.userName}? The link stops working and their pending place (and seat) is freed. You can invite them again later.`, confirm: 'Revoke invitation', danger: true }),
  resend: (u) => ({ title: 'Resend invitation', message: `Make a new invitation link for ${u.userName}? The link sent before stops working. orgbridge sends no email: copy the new link and send it to them.`, confirm: 'Make new link', danger: false }),
  billing: (u) => ({ title: 'Billing admin', message: `Make ${u.userName} the organization's billing admin?`, confirm: 'Make billing admin', danger: false }),
  remove: (u) => ({ title: 'Remove user', message: `Remove ${u.userName} from the organization and its teams? Their runs, reports and history stay.`, confirm: 'Remove user', danger: true }),
};

const SORT_WORDS = { name: 'name', lastActive: 'last active', role: 'role', modelsSeat: 'Models seat', weaveAccess: 'Weave access', status: 'status' };
const sortCaption = (sort) => `, sorted by ${SORT_WORDS[sort.replace(/^-/, '')]}${sort.startsWith('-') ? ', descending' : ''}`;

/** The organization dashboard's Users page. */
export function UsersPage({ org, orgInfo, perms, reloadOrg = async () => {} }) {
  const may = {
    view: perms.has('org.users.view'),
    invite: perms.has('org.users.invite'),
    changeRole: perms.has('org.users.changeRole'),
    changeSeat: perms.has('org.users.changeSeat'),
    changeStatus: perms.has('org.users.changeStatus'),
    remove: perms.has('org.users.remove'),
    export: perms.has('org.users.export'),
    assignBilling: perms.has('org.billingAdmin.assign'),
  };
  const [sort, setSort] = useState('name');
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
    const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE), sort });
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
  }, [org, q, status, page, sort]);
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
      select.value = storedValue(user, body);
    }
    await load();
  };
  // A select only proposes: the change is sent once it is confirmed.
  const propose = (user, body, select) => setAsking({ action: 'change', user, body, select });
  const cancel = () => {
    if (asking?.action === 'change' && asking.select) asking.select.value = storedValue(asking.user, asking.body);
    // An unconfirmed billing-admin radio goes back to the one stored.
    if (asking?.action === 'billing') load();
    setAsking(null);
  };
  const confirm = async () => {
    const { action, user, body, select } = asking;
    setAsking(null);
    if (action === 'change') {
      await change(user, body, select);
      return;
    }
    if (action === 'resend') {
      const r = await run(() => post(`/orgs/${org}/invitations/${user.invitation.id}/resend`));
      if (r.ok) setInvited({ ...r.value, user });
      await load();
      return;
    }
    if (action === 'billing') {
      const r = await run(() => put(`/orgs/${org}/billing-admin`, { userId: user.id }), `${user.userName} is the billing admin.`);
      if (r.ok) await reloadOrg();
      await load();
      return;
    }
    const calls = {
      remove: () => del(`/orgs/${org}/users/${user.id}`),
      revoke: () => del(`/orgs/${org}/invitations/${user.invitation.id}`),
    };
    const call = calls[action] || (() => post(`/orgs/${org}/users/${user.id}/${action}`));
    const done = { remove: 'removed', deactivate: 'deactivated', reactivate: 'reactivated' }[action];
    await run(call, action === 'revoke' ? `Invitation to ${user.userName} revoked.` : `${user.userName} ${done}.`);
    await load();
  };
  const ask = asking && ASK[asking.action](asking.user, asking.body);
  const resort = (s) => {
    setSort(s);
    setPage(1);
  };
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
      <${LimitedInput} id="user-search" type="search" label="Search" max=${200} placeholder="Search by name, username or email" value=${q} onInput=${(v) => { setQ(v); setPage(1); }} />
      <label for="user-status" class="visually-hidden">Status</label>
      <select id="user-status" value=${status} onChange=${(e) => { setStatus(e.currentTarget.value); setPage(1); }}>
        <option value="">All statuses</option>
        ${Object.entries(STATUS_LABEL).map(([v, l]) => html`<option value=${v} key=${v}>${l}</option>`)}
      </select>
    </div>
    <div class="table-wrap open">
      <table class="users stacking sortable">
        <caption class="visually-hidden">Users of the organization${sortCaption(sort)}</caption>
        <thead><tr>
          <${SortHeader} label="Name" column="name" sort=${sort} onSort=${resort} />
          <${SortHeader} label="Last active" column="lastActive" sort=${sort} onSort=${resort} />
          <${SortHeader} label="Role" column="role" sort=${sort} onSort=${resort} />
          <${SortHeader} label="Models seat" column="modelsSeat" sort=${sort} onSort=${resort} />
          <${SortHeader} label="Weave access" column="weaveAccess" sort=${sort} onSort=${resort} />
          <th scope="col">Teams</th>
          <${SortHeader} label="Status" column="status" sort=${sort} onSort=${resort} />
          <th scope="col">Billing admin</th>
          ${(may.changeStatus || may.remove || may.invite) && html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}
        </tr></thead>
        <tbody>
          ${data && data.items.map((u) => html`<${UserRow} key=${u.id} user=${u} may=${may} orgInfo=${orgInfo} onChange=${propose} onAsk=${(action, user) => setAsking({ action, user })} />`)}
          ${data && data.items.length === 0 && html`<tr class="empty"><td colspan="9">${q || status ? 'No users match this search.' : 'No users yet.'}${may.invite && !q && !status ? ' Invite someone with “Invite user”.' : ''}</td></tr>`}
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
      ${invited && html`<p class="wrap">Send this link to ${invited.user.email || invited.user.userName}. It can be used once, until ${formatDateTime(invited.expiresAt)}. orgbridge sends no email; a link made before for them no longer works.</p>
        <${SecretOnce} label="Invitation link" secret=${invited.link} />`}
      <div class="dialog-actions"><button type="button" class="primary" onClick=${() => setInvited(null)}>Done</button></div>
    <//>
    <${ConfirmDialog} open=${Boolean(ask)} title=${ask ? ask.title : ''} message=${ask ? ask.message : ''} confirmLabel=${ask ? ask.confirm : ''} danger=${ask && ask.danger}
      onConfirm=${confirm} onCancel=${cancel} />
  </div>`;
}
