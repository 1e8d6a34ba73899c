import { adminKeyCreatorsActing } from '../admin-keys.ts';
import type { Conn } from '../../db/connect.ts';
import { hashSecret } from '../../lib/secrets.ts';
import type { TeamMembership } from '../permissions/index.ts';
import { identityKey } from '../people.ts';
import { teamMembershipOf, teamPlaces, type TeamPlace } from '../principal.ts';
import type { ProjectRole, ProjectRow } from '../projects.ts';
import type { RegistryRole, RegistryRow } from '../registries.ts';
import { liveServiceKeys } from '../service-account-keys.ts';
import type { MembershipStatus, OrgRole, Seat } from '../types.ts';
import type { DecisionRequest, OwnerRef } from './types.ts';
import { UUID } from '../../lib/uuid.ts';

// Everything a batch of decisions needs, read in a fixed number of queries whatever the
// batch size (about ten for 1,000 checks), in one read-only transaction so the batch sees
// one state. Nothing is cached between batches: every batch reads the directory as it is,
// so a deactivation, a role change, a removal from a team or a visibility change is in the
// very next decision, on every instance (no stale allow to invalidate).

const uuids = (xs: Iterable<string>): string[] => [...new Set([...xs].filter((x) => UUID.test(x)))];

export interface RecordState {
  id: string;
  orgId: string;
  accountId: string | null;
  status: MembershipStatus;
  orgRole: OrgRole;
  modelsSeat: Seat;
  userNameKey: string;
  emailKey: string | null;
}

export type KeyHolder =
  | { kind: 'person'; keyId: string; orgId: string; recordId: string }
  | { kind: 'admin'; keyId: string; orgId: string }
  | { kind: 'service'; keyId: string; orgId: string; serviceAccountId: string };

export interface ServiceAccountState {
  id: string;
  orgId: string;
  teamId: string | null;
}

export interface Snapshot {
  orgs: ReadonlySet<string>;
  teams: ReadonlyMap<string, { orgId: string }>;
  projects: ReadonlyMap<string, ProjectRow>;
  /** project → member record → role */
  projectRoles: ReadonlyMap<string, ReadonlyMap<string, ProjectRole>>;
  registries: ReadonlyMap<string, RegistryRow>;
  /** registry → member record → role */
  registryUserRoles: ReadonlyMap<string, ReadonlyMap<string, RegistryRole>>;
  /** registry → team → role */
  registryTeamRoles: ReadonlyMap<string, ReadonlyMap<string, RegistryRole>>;
  serviceAccounts: ReadonlyMap<string, ServiceAccountState>;
  /** by SHA-256 of the secret */
  keys: ReadonlyMap<string, KeyHolder>;
  accounts: ReadonlyMap<string, { systemAdmin: boolean }>;
  records: ReadonlyMap<string, RecordState>;
  /** `${accountId}|${orgId}` → member record */
  recordOf: ReadonlyMap<string, string>;
  /** member record → team → place */
  places: ReadonlyMap<string, ReadonlyMap<string, TeamMembership>>;
  /** `${orgId}|${identityKey}` → active records whose userName or email has that key */
  attribution: ReadonlyMap<string, readonly RecordState[]>;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function nested<V>(m: Map<string, Map<string, V>>, a: string, b: string, v: V): void {
  let inner = m.get(a);
  if (!inner) m.set(a, (inner = new Map()));
  inner.set(b, v);
}

function ownerIds(o: OwnerRef, acc: { accounts: Set<string>; members: Set<string> }): void {
  if ('accountId' in o) acc.accounts.add(o.accountId);
  else if ('memberId' in o) acc.members.add(o.memberId);
}

interface RecordRowDb {
  id: string;
  org_id: string;
  account_id: string | null;
  status: MembershipStatus;
  org_role: OrgRole;
  models_seat: Seat;
  user_name_key: string;
  email_key: string | null;
}

const recordState = (r: RecordRowDb): RecordState => ({
  id: r.id,
  orgId: r.org_id,
  accountId: r.account_id,
  status: r.status,
  orgRole: r.org_role,
  modelsSeat: r.models_seat,
  userNameKey: r.user_name_key,
  emailKey: r.email_key,
});

const RECORD_COLUMNS = ['u.id', 'u.org_id', 'u.account_id', 'm.status', 'm.org_role', 'm.models_seat', 'u.user_name_key', 'u.email_key'];

/** Reads what `items` need. Call inside one (read-only) transaction. */
export async function loadSnapshot(conn: Conn, items: readonly DecisionRequest[], now: Date): Promise<Snapshot> {
  const want = {
    digests: new Set<string>(),
    accounts: new Set<string>(),
    members: new Set<string>(),
    serviceAccounts: new Set<string>(),
    projects: new Set<string>(),
    registries: new Set<string>(),
    teams: new Set<string>(),
    orgs: new Set<string>(),
    attribution: new Set<string>(),
  };
  for (const it of items) {
    const p = it.principal;
    if (p.type === 'apiKey') want.digests.add(hashSecret(p.key));
    else if (p.type === 'serviceAccount') want.serviceAccounts.add(p.id);
    else if ('accountId' in p) want.accounts.add(p.accountId);
    else want.members.add(p.memberId);
    const r = it.resource;
    if (r.type === 'organization') want.orgs.add(r.id);
    else if (r.type === 'team') want.teams.add(r.id);
    else if (r.type === 'project') want.projects.add(r.id);
    else if (r.type === 'registry') want.registries.add(r.id);
    else {
      want.projects.add(r.project);
      ownerIds(r.owner, want);
    }
    if (it.attributeTo !== undefined) want.attribution.add(identityKey(it.attributeTo));
  }

  // 1. Keys (people's and admin keys in api_keys; service accounts' in their own table).
  const keys = new Map<string, KeyHolder>();
  const digests = [...want.digests];
  if (digests.length) {
    // The same keys authentication accepts: not revoked, not expired, and an admin key only
    // while its creator still acts as an admin (admin-keys.ts; issue 14 item 2).
    const rows = (await conn('api_keys')
      .whereIn('token_hash', digests)
      .whereNull('revoked_at')
      .where((w) => w.whereNull('expires_at').orWhere('expires_at', '>', now))
      .select('id', 'org_id', 'kind', 'user_id', 'token_hash', 'created_by')) as { id: string; org_id: string | null; kind: string; user_id: string | null; token_hash: string; created_by: string | null }[];
    const acting = await adminKeyCreatorsActing(conn, rows.filter((k) => k.kind === 'admin' && k.org_id).map((k) => ({ orgId: k.org_id!, createdBy: k.created_by })));
    for (const k of rows) {
      if (!k.org_id) continue;
      if (k.kind === 'admin') {
        if (acting.has(`${k.org_id}:${k.created_by}`)) keys.set(k.token_hash, { kind: 'admin', keyId: k.id, orgId: k.org_id });
      }
      else if (k.kind === 'user' && k.user_id) {
        keys.set(k.token_hash, { kind: 'person', keyId: k.id, orgId: k.org_id, recordId: k.user_id });
        want.members.add(k.user_id);
      }
    }
    for (const k of await liveServiceKeys(conn, digests, now)) {
      keys.set(k.hash, { kind: 'service', keyId: k.id, orgId: k.orgId, serviceAccountId: k.serviceAccountId });
      want.serviceAccounts.add(k.serviceAccountId);
    }
  }

  // 2. Resources and service accounts.
  const [projectRows, registryRows, teamRows, orgRows, saRows] = await Promise.all([
    want.projects.size ? (conn('projects').whereIn('id', uuids(want.projects)) as Promise<ProjectRow[]>) : [],
    want.registries.size ? (conn('registries').whereIn('id', uuids(want.registries)) as Promise<RegistryRow[]>) : [],
    want.teams.size ? (conn('teams').whereIn('id', uuids(want.teams)).select('id', 'org_id') as Promise<{ id: string; org_id: string }[]>) : [],
    want.orgs.size ? (conn('organizations').whereIn('id', uuids(want.orgs)).select('id') as Promise<{ id: string }[]>) : [],
    want.serviceAccounts.size
      ? (conn('service_accounts').whereIn('id', uuids(want.serviceAccounts)).whereNull('deleted_at').select('id', 'org_id', 'team_id') as Promise<{ id: string; org_id: string; team_id: string | null }[]>)
      : [],
  ]);
  const projects = new Map(projectRows.map((p) => [p.id, p]));
  const registries = new Map(registryRows.map((r) => [r.id, r]));
  const teams = new Map(teamRows.map((t) => [t.id, { orgId: t.org_id }]));
  const orgs = new Set(orgRows.map((o) => o.id));
  const serviceAccounts = new Map(saRows.map((s) => [s.id, { id: s.id, orgId: s.org_id, teamId: s.team_id }]));
  const resourceOrgs = new Set<string>([...orgs, ...[...teams.values()].map((t) => t.orgId), ...projectRows.map((p) => p.org_id), ...registryRows.map((r) => r.org_id)]);

  // 3. Roles on those resources.
  const [projectRoleRows, registryRoleRows] = await Promise.all([
    projects.size ? (conn('project_roles').whereIn('project_id', [...projects.keys()]) as Promise<{ project_id: string; user_id: string; role: ProjectRole }[]>) : [],
    registries.size ? (conn('registry_roles').whereIn('registry_id', [...registries.keys()]) as Promise<{ registry_id: string; user_id: string | null; team_id: string | null; role: RegistryRole }[]>) : [],
  ]);
  const projectRoles = new Map<string, Map<string, ProjectRole>>();
  for (const r of projectRoleRows) nested(projectRoles, r.project_id, r.user_id, r.role);
  const registryUserRoles = new Map<string, Map<string, RegistryRole>>();
  const registryTeamRoles = new Map<string, Map<string, RegistryRole>>();
  for (const r of registryRoleRows) {
    if (r.user_id) nested(registryUserRoles, r.registry_id, r.user_id, r.role);
    else if (r.team_id) nested(registryTeamRoles, r.registry_id, r.team_id, r.role);
  }

  // 4. Member records: named ones, and each asked-about account's record in the resources' organizations.
  const records = new Map<string, RecordState>();
  const recordOf = new Map<string, string>();
  const accountIds = uuids(want.accounts);
  const memberIds = uuids(want.members);
  if (memberIds.length || (accountIds.length && resourceOrgs.size)) {
    const rows = (await conn('users as u')
      .join('memberships as m', function () {
        this.on('m.user_id', 'u.id').andOn('m.org_id', 'u.org_id');
      })
      .where((w) => {
        if (memberIds.length) w.orWhereIn('u.id', memberIds);
        if (accountIds.length && resourceOrgs.size) w.orWhere((x) => x.whereIn('u.account_id', accountIds).whereIn('u.org_id', [...resourceOrgs]));
      })
      .select(RECORD_COLUMNS)) as RecordRowDb[];
    for (const r of rows) records.set(r.id, recordState(r));
  }
  // 5. Who a service account's run may be attributed to: active records by userName or email.
  const attribution = new Map<string, RecordState[]>();
  const attributionOrgs = [...new Set([...serviceAccounts.values()].map((s) => s.orgId))];
  if (want.attribution.size && attributionOrgs.length) {
    const ks = [...want.attribution];
    const rows = (await conn('users as u')
      .join('memberships as m', function () {
        this.on('m.user_id', 'u.id').andOn('m.org_id', 'u.org_id');
      })
      .whereIn('u.org_id', attributionOrgs)
      .where('m.status', 'active')
      .where((w) => w.whereIn('u.user_name_key', ks).orWhereIn('u.email_key', ks))
      .select(RECORD_COLUMNS)) as RecordRowDb[];
    for (const r of rows) {
      const s = recordState(r);
      records.set(s.id, s);
      push(attribution, `${s.orgId}|${s.userNameKey}`, s);
      if (s.emailKey && s.emailKey !== s.userNameKey) push(attribution, `${s.orgId}|${s.emailKey}`, s);
    }
  }
  for (const r of records.values()) if (r.accountId) recordOf.set(`${r.accountId}|${r.orgId}`, r.id);

  // 6. Accounts (system admin) and 7. team places of every record in play.
  const allAccounts = uuids([...want.accounts, ...[...records.values()].flatMap((r) => (r.accountId ? [r.accountId] : []))]);
  const recordIds = [...records.keys()];
  const [accountRows, placeRows] = await Promise.all([
    allAccounts.length ? (conn('accounts').whereIn('id', allAccounts).select('id', 'system_admin') as Promise<{ id: string; system_admin: boolean }[]>) : [],
    recordIds.length
      ? (teamPlaces(conn).whereIn('tm.user_id', recordIds) as Promise<(TeamPlace & { user_id: string })[]>)
      : [],
  ]);
  const accounts = new Map(accountRows.map((a) => [a.id, { systemAdmin: a.system_admin }]));
  const places = new Map<string, Map<string, TeamMembership>>();
  for (const p of placeRows) nested(places, p.user_id, p.team_id, teamMembershipOf(p));

  return { orgs, teams, projects, projectRoles, registries, registryUserRoles, registryTeamRoles, serviceAccounts, keys, accounts, records, recordOf, places, attribution };
}

