import { useEffect, useState } from 'preact/hooks';
import { del, get, patch, post, put } from './api.js';
import { AuditLog } from './audit.js';
import { Badge, ConfirmDialog, CopyButton, LimitedInput, Notice, Switch, useNotice } from './components.js';
import { formatDate } from './format.js';
import { html } from './html.js';
import { RoleGroups } from './role-groups.js';
import { CustomRoles } from './roles.js';
import { Seats } from './seats.js';
import { ApiKeys, ScimTokens } from './tokens.js';
import { Webhooks } from './webhooks.js';

function General({ org, orgInfo, perms, reloadOrg }) {
  const [name, setName] = useState(orgInfo.name);
  const [domain, setDomain] = useState('');
  const [teams, setTeams] = useState([]);
  const [releasing, setReleasing] = useState(null);
  const { notice, setNotice, run } = useNotice();
  const mayManage = perms.has('org.settings.manage');
  const mayDomains = perms.has('org.domains.claim');
  const allowed = orgInfo.deployment.autoProvisioning;
  const mayBilling = perms.has('org.billingAdmin.assign') && perms.has('org.users.view');
  const [admins, setAdmins] = useState([]);
  useEffect(() => {
    get(`/orgs/${org}/teams`).then((d) => setTeams(d.items), () => setTeams([]));
    if (mayBilling) get(`/orgs/${org}/users?role=admin&status=active&pageSize=200`).then((d) => setAdmins(d.items), () => setAdmins([]));
  }, [org]);
  useEffect(() => setName(orgInfo.name), [orgInfo.name]);

  const rename = async (e) => {
    e.preventDefault();
    const r = await run(() => patch(`/orgs/${org}`, { name }), 'Organization renamed.');
    if (r.ok) reloadOrg();
  };
  const claim = async (e) => {
    e.preventDefault();
    // The server answers a claim the organization already holds with that claim as it stands.
    const held = new Set(orgInfo.domains.map((d) => d.domain));
    const r = await run(() => post(`/orgs/${org}/domains`, { domain }), (d) =>
      held.has(d.domain)
        ? `${d.domain} is already this organization's (${d.status === 'verified' ? 'verified' : 'pending verification'}).`
        : `Claimed ${d.domain}. Publish its TXT record, then choose Verify now.`,
    );
    if (r.ok) {
      setDomain('');
      reloadOrg();
    }
  };
  const verify = async (d) => {
    const r = await run(() => post(`/orgs/${org}/domains/${encodeURIComponent(d)}/verify`));
    if (!r.ok) return;
    const v = r.value;
    setNotice(v.status === 'verified' ? { kind: 'success', text: `${v.domain} is verified.` } : { kind: 'error', text: `${v.domain} is not verified yet: ${v.check.reason}.` });
    reloadOrg();
  };
  const release = async () => {
    const d = releasing;
    setReleasing(null);
    const r = await run(() => del(`/orgs/${org}/domains/${encodeURIComponent(d)}`), `Released ${d}.`);
    if (r.ok) reloadOrg();
  };
  const setting = async (key, value) => {
    const r = await run(() => patch(`/orgs/${org}/settings`, { [key]: value }), 'Setting saved.');
    if (r.ok) reloadOrg();
  };
  const defaultTeam = async (teamId) => {
    const r = await run(() => put(`/orgs/${org}/default-team`, { teamId: teamId || null }), 'Default team saved.');
    if (r.ok) reloadOrg();
  };
  const billing = async (userId) => {
    if (!userId) return;
    const r = await run(() => put(`/orgs/${org}/billing-admin`, { userId }), 'Billing admin saved.');
    if (r.ok) reloadOrg();
  };
  const s = orgInfo.settings;
  return html`<div class="stack">
    <${Notice} notice=${notice} onDismiss=${() => setNotice(null)} />
    <section class="card" aria-labelledby="org-name-title">
      <h2 id="org-name-title">Organization</h2>
      ${mayManage
        ? html`<form class="inline-form" onSubmit=${rename}>
            <label for="org-name">Organization name</label>
            <${LimitedInput} id="org-name" label="Organization name" required max=${200} value=${name} onInput=${setName} />
            <button type="submit" class="primary">Rename</button>
          </form>`
        : html`<p>${orgInfo.name}</p>`}
      <p class="muted small">Slug: <span class="mono">${orgInfo.slug}</span></p>
      ${mayBilling &&
      html`<div class="field">
        <label for="billing-admin">Billing admin</label>
        <select id="billing-admin" value=${orgInfo.billingAdminUserId || ''} onChange=${(e) => billing(e.currentTarget.value)}>
          ${!orgInfo.billingAdminUserId && html`<option value="">Not assigned</option>`}
          ${admins.map((a) => html`<option value=${a.id} key=${a.id}>${a.name} (${a.email || a.userName})</option>`)}
        </select>
        <p class="hint">The billing admin must be an active organization admin.</p>
      </div>`}
    </section>
    ${(mayDomains || mayManage) &&
    html`<section class="card" aria-labelledby="domains-title">
      <h2 id="domains-title">Domains and default team</h2>
      <p class="hint">People whose verified email is at a verified domain can be captured into this organization. A claim stays pending until a DNS TXT record proves the domain is yours (or the deployment's operator approves it); a domain belongs to one organization only.</p>
      <div class="table-wrap"><table aria-label="Claimed domains">
        <thead><tr><th scope="col">Domain</th><th scope="col">Status</th><th scope="col">Verification</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          ${orgInfo.domains.length === 0 && html`<tr class="empty"><td colspan="4">No claimed domains yet.${mayDomains ? ' Claim one below, then publish its TXT record.' : ''}</td></tr>`}
          ${orgInfo.domains.map((d) => html`<tr key=${d.domain} data-domain=${d.domain}>
            <th scope="row" class="mono wrap">${d.domain}</th>
            <td>${d.status === 'verified' ? html`<${Badge} kind="ok">Verified<//>` : html`<${Badge} kind="warn">Pending<//>`}</td>
            <td>${d.challenge
              ? html`<div class="small">Add a TXT record (before ${formatDate(d.expiresAt)}):</div>
                  <div class="small">Name <code class="mono">${d.challenge.name}</code> <${CopyButton} text=${d.challenge.name} label=${`Copy record name for ${d.domain}`} /></div>
                  <div class="small">Value <code class="mono">${d.challenge.value}</code> <${CopyButton} text=${d.challenge.value} label=${`Copy record value for ${d.domain}`} /></div>`
              : html`<span class="small muted">${d.verifiedBy === 'dns' ? 'DNS record' : 'Operator approval'}, ${formatDate(d.verifiedAt)}</span>`}</td>
            <td class="actions">${mayDomains && html`${d.status === 'pending' && html`<button type="button" class="small" aria-label=${`Verify ${d.domain} now`} onClick=${() => verify(d.domain)}>Verify now</button>`}
              <button type="button" class="small link" aria-label=${`Release ${d.domain}`} onClick=${() => setReleasing(d.domain)}>Release</button>`}</td>
          </tr>`)}
        </tbody>
      </table></div>
      ${mayDomains &&
      html`<form class="inline-form" onSubmit=${claim}>
        <label for="claim-domain">Claim a domain</label>
        <${LimitedInput} id="claim-domain" label="Domain" required max=${253} placeholder="example.com" value=${domain} onInput=${setDomain} />
        <button type="submit">Claim</button>
      </form>`}
      ${mayManage &&
      html`<div class="field">
        <label for="default-team">Default team for captured users</label>
        <select id="default-team" value=${orgInfo.defaultTeamId || ''} onChange=${(e) => defaultTeam(e.currentTarget.value)}>
          <option value="">No default team</option>
          ${teams.map((t) => html`<option value=${t.id} key=${t.id}>${t.name}</option>`)}
        </select>
      </div>`}
    </section>`}
    ${mayManage &&
    html`<section class="card" aria-labelledby="provisioning-title">
      <h2 id="provisioning-title">Sign-up and provisioning</h2>
      <${Switch} id="set-auto" label="Auto-provisioning: create accounts at first SSO sign-in" checked=${s.autoProvisioning} disabled=${!allowed && !s.autoProvisioning}
        hint=${allowed ? 'People whose verified email is at a verified domain join as members with the default seat.' : 'This deployment does not allow auto-provisioning; an operator can turn it on.'}
        onChange=${(v) => setting('autoProvisioning', v)} />
      <${Switch} id="set-capture" label="Domain capture: add people from verified domains to the default team" checked=${s.domainCapture} disabled=${!allowed && !s.domainCapture}
        onChange=${(v) => setting('domainCapture', v)} />
      <${Switch} id="set-join" label="Let new users join recommended teams at sign-up" checked=${s.teamJoinAtSignup} onChange=${(v) => setting('teamJoinAtSignup', v)} />
      <div class="field">
        <label for="set-seat">Default Models seat for new users</label>
        <select id="set-seat" value=${s.defaultModelsSeat} onChange=${(e) => setting('defaultModelsSeat', e.currentTarget.value)}>
          <option value="full">Full</option><option value="viewer">Viewer</option><option value="none">None</option>
        </select>
      </div>
    </section>`}
    <${ConfirmDialog} open=${Boolean(releasing)} title="Release domain" message=${releasing ? `Release ${releasing}? People at this domain are no longer captured into this organization.` : ''}
      confirmLabel="Release" danger=${true} onConfirm=${release} onCancel=${() => setReleasing(null)} />
  </div>`;
}

const TABS = [
  { id: 'general', label: 'General', visible: (p) => p.has('org.settings.manage') || p.has('org.domains.claim') },
  { id: 'seats', label: 'Seats', visible: (p) => p.has('org.users.view') || p.has('system.settings.configure') },
  { id: 'tokens', label: 'SCIM tokens and API keys', visible: (p) => p.has('org.scimTokens.manage') || p.has('org.serviceAccounts.manage') },
  { id: 'roles', label: 'Custom roles', visible: (p) => p.has('org.customRoles.manage') },
  { id: 'role-groups', label: 'Role groups', visible: (p) => p.has('org.settings.manage') },
  { id: 'audit', label: 'Audit log', visible: (p) => p.has('org.auditLog.view') },
  { id: 'webhooks', label: 'Webhooks', visible: (p) => p.has('org.settings.manage') },
];

export const settingsTabs = (perms) => TABS.filter((t) => t.visible(perms));

export function SettingsPage({ org, orgInfo, perms, tab, reloadOrg }) {
  const tabs = settingsTabs(perms);
  const current = tabs.find((t) => t.id === tab) || tabs[0];
  if (!current) return html`<p>You do not have access to the organization's settings.</p>`;
  return html`<div class="page">
    <div class="page-head"><h1>Settings</h1></div>
    <nav class="tabs" aria-label="Settings sections">
      ${tabs.map((t) => html`<a key=${t.id} href=${`#/${org}/settings/${t.id}`} aria-current=${t.id === current.id ? 'page' : undefined}>${t.label}</a>`)}
    </nav>
    ${current.id === 'general' && html`<${General} org=${org} orgInfo=${orgInfo} perms=${perms} reloadOrg=${reloadOrg} />`}
    ${current.id === 'tokens' && html`<div class="stack">
      ${perms.has('org.scimTokens.manage') && html`<${ScimTokens} org=${org} />`}
      ${perms.has('org.serviceAccounts.manage') && html`<${ApiKeys} org=${org} />`}
    </div>`}
    ${current.id === 'seats' && html`<${Seats} org=${org} perms=${perms} />`}
    ${current.id === 'roles' && html`<${CustomRoles} org=${org} />`}
    ${current.id === 'role-groups' && html`<${RoleGroups} org=${org} />`}
    ${current.id === 'audit' && html`<${AuditLog} org=${org} />`}
    ${current.id === 'webhooks' && html`<${Webhooks} org=${org} />`}
  </div>`;
}
