import type { Conn } from '../../db/connect.ts';
import { hashSecret } from '../../lib/secrets.ts';
import { can, type Decision, type Permission, type PermissionId, type Principal, type TeamMembership } from '../permissions/index.ts';
import { findPermission } from '../permissions/index.ts';
import { identityKey } from '../people.ts';
import type { RegistryRole } from '../registries.ts';
import type { TeamRole } from '../types.ts';
import { resolvePermissionName } from './resolve-permission.ts';
import { loadSnapshot, type RecordState, type ServiceAccountState, type Snapshot } from './snapshot.ts';
import type { AskScope, DecisionRequest, DecisionResult, OwnerRef } from './types.ts';

// The platform's question, answered (issue 15): each {principal, permission, resource} is
// turned into the Principal and Scope that can() judges — the resource's visibility and
// roles decide which team role the principal holds there — and can() answers with its
// reason. Seat caps, viewer rules, statuses and ownership are can()'s (SPEC §2).

export const MAX_BATCH = 1000;

const deny = (reason: string): DecisionResult => ({ decision: 'deny', reason });
const answer = (d: Decision, via?: string): DecisionResult => ({ decision: d.allowed ? 'allow' : 'deny', reason: via ? `${via}: ${d.reason}` : d.reason });

/** Who asks, resolved: a person (account and/or member record) or a machine. */
type Asker =
  | { kind: 'person'; accountId: string | null; recordId: string | null; fixedRecord: boolean }
  | { kind: 'admin'; keyId: string; orgId: string }
  | { kind: 'service'; sa: ServiceAccountState };

/** The product areas a project (and what is in it) is about. */
const PROJECT_AREAS = new Set<Permission['area']>(['reports', 'experiments', 'artifacts', 'projects']);

// Seed "Project visibility": in an open project "anyone can submit runs or create reports".
// Someone outside the project's team holds these as a Team Member would (so the "own"
// rules let them manage what they created) and everything else as View-Only.
const OPEN_CONTRIBUTIONS: ReadonlySet<PermissionId> = new Set<PermissionId>([
  'experiments.log', 'experiments.delete', 'experiments.stop', 'reports.create', 'reports.edit', 'reports.delete',
]);

const REGISTRY_AS_TEAM: Readonly<Record<RegistryRole, TeamRole>> = { admin: 'admin', member: 'member', viewer: 'view-only' };
const REGISTRY_RANK: Readonly<Record<RegistryRole, number>> = { viewer: 1, member: 2, admin: 3 };

function resolveAsker(s: Snapshot, item: DecisionRequest): Asker | string {
  const p = item.principal;
  if (p.type === 'serviceAccount') {
    const sa = s.serviceAccounts.get(p.id);
    return sa ? { kind: 'service', sa } : `service account ${p.id} not found`;
  }
  if (p.type === 'apiKey') {
    const k = s.keys.get(hashSecret(p.key));
    if (!k) return 'API key is unknown, revoked or expired';
    if (k.kind === 'admin') return { kind: 'admin', keyId: k.keyId, orgId: k.orgId };
    if (k.kind === 'service') {
      const sa = s.serviceAccounts.get(k.serviceAccountId);
      return sa ? { kind: 'service', sa } : 'API key is unknown, revoked or expired';
    }
    const r = s.records.get(k.recordId);
    return { kind: 'person', accountId: r?.accountId ?? null, recordId: k.recordId, fixedRecord: true };
  }
  if ('memberId' in p) {
    const r = s.records.get(p.memberId);
    return { kind: 'person', accountId: r?.accountId ?? null, recordId: r ? p.memberId : null, fixedRecord: true };
  }
  if (!s.accounts.has(p.accountId)) return `account ${p.accountId} not found`;
  return { kind: 'person', accountId: p.accountId, recordId: null, fixedRecord: false };
}

/** The asker as can() sees them in `orgId`, or a refusal naming why they are no one there. */
function principalIn(s: Snapshot, a: Asker, orgId: string): Principal | string {
  if (a.kind === 'admin') {
    if (a.orgId !== orgId) return 'this admin API key belongs to another organization';
    return { userId: `api_key:${a.keyId}`, systemAdmin: false, org: { orgId, role: 'admin', status: 'active', modelsSeat: 'full' }, teams: new Map() };
  }
  if (a.kind === 'service') {
    if (a.sa.orgId !== orgId) return `service account ${a.sa.id} belongs to another organization`;
    // Service accounts use no seat (SPEC §1): the seat cap does not apply to them, and they
    // administer nothing (organization role member, no team admin place).
    const teams = new Map<string, TeamMembership>(a.sa.teamId ? [[a.sa.teamId, { role: 'member' }]] : []);
    return { userId: `service_account:${a.sa.id}`, systemAdmin: false, org: { orgId, role: 'member', status: 'active', modelsSeat: 'full' }, teams };
  }
  const systemAdmin = a.accountId ? (s.accounts.get(a.accountId)?.systemAdmin ?? false) : false;
  let record: RecordState | undefined;
  if (a.fixedRecord) {
    record = a.recordId ? s.records.get(a.recordId) : undefined;
    // A member record, or a person's key, speaks for that organization only.
    if (!record || record.orgId !== orgId) return 'this member record is not in the organization of the resource';
  } else if (a.accountId) {
    const id = s.recordOf.get(`${a.accountId}|${orgId}`);
    record = id ? s.records.get(id) : undefined;
  }
  const userId = a.accountId ?? `member:${record?.id ?? 'unknown'}`;
  if (!record) return { userId, systemAdmin, teams: new Map() };
  return {
    userId,
    memberId: record.id,
    systemAdmin,
    org: { orgId, role: record.orgRole, status: record.status, modelsSeat: record.modelsSeat },
    teams: s.places.get(record.id) ?? new Map(),
  };
}

function ownerId(s: Snapshot, o: OwnerRef, orgId: string): string | undefined {
  if ('serviceAccountId' in o) return `service_account:${o.serviceAccountId}`;
  if ('accountId' in o) return o.accountId;
  const r = s.records.get(o.memberId);
  if (!r || r.orgId !== orgId) return undefined;
  return r.accountId ?? `member:${r.id}`;
}

const activeIn = (p: Principal, orgId: string): boolean => p.org?.orgId === orgId && p.org.status === 'active';
const withTeam = (p: Principal, teamId: string, m: TeamMembership | undefined): Principal => {
  const teams = new Map(p.teams);
  if (m) teams.set(teamId, m);
  else teams.delete(teamId);
  return { ...p, teams };
};

function decideProject(s: Snapshot, a: Asker, p: Principal, perm: Permission, projectId: string, owner: string | undefined): DecisionResult {
  const project = s.projects.get(projectId)!;
  if (!PROJECT_AREAS.has(perm.area)) return deny(`${perm.id} does not apply to a project`);
  const scope = { orgId: project.org_id, teamId: project.team_id, ...(owner !== undefined ? { ownerId: owner } : {}) };
  // Not an active member, or an organization admin (who acts as team admin in every team,
  // restricted projects included): can() alone answers.
  if (!activeIn(p, project.org_id) || p.org?.role === 'admin') return answer(can(p, perm.id, scope));
  const vis = project.visibility;
  const outsider = (): TeamMembership => ({ role: vis === 'open' && OPEN_CONTRIBUTIONS.has(perm.id) ? 'member' : 'view-only' });

  if (a.kind === 'service') {
    const own = a.sa.teamId === null || a.sa.teamId === project.team_id;
    if (vis === 'restricted') return deny(`project ${project.name} is restricted, and service accounts hold no project roles`);
    if (own) return answer(can(withTeam(p, project.team_id, { role: 'member' }), perm.id, scope), a.sa.teamId ? "service account of the project's team" : 'service account of the organization');
    // seeds/001: "A service account can not log runs to a private project in a team
    // different from its parent team ... only if the project is set to Open".
    if (vis === 'open') return answer(can(withTeam(p, project.team_id, outsider()), perm.id, scope), `project ${project.name} is open`);
    return deny(`service account belongs to another team, and project ${project.name} is ${vis}, not open`);
  }

  const place = p.teams.get(project.team_id);
  if (vis === 'restricted' && place) {
    const teamAdmin = place.role === 'admin' && place.customRole === undefined;
    if (teamAdmin) return answer(can(p, perm.id, scope), `project ${project.name} is restricted; team admin`);
    const role = p.memberId ? s.projectRoles.get(project.id)?.get(p.memberId) : undefined;
    if (role) return answer(can(withTeam(p, project.team_id, { role }), perm.id, scope), `project ${project.name} is restricted; project role ${role}`);
    if (project.owner_account_id === p.userId) return answer(can(p, perm.id, scope), `project ${project.name} is restricted; its owner`);
    return deny(`project ${project.name} is restricted, and this person holds no role in it`);
  }
  if (vis === 'restricted') return answer(can(p, perm.id, scope));
  if (!place && (vis === 'open' || vis === 'public')) {
    return answer(can(withTeam(p, project.team_id, outsider()), perm.id, scope), `project ${project.name} is ${vis} to the organization, as ${outsider().role}`);
  }
  return answer(can(p, perm.id, scope));
}

function decideRegistry(s: Snapshot, a: Asker, p: Principal, perm: Permission, registryId: string): DecisionResult {
  const reg = s.registries.get(registryId)!;
  const pseudo = `registry:${reg.id}`;
  const scope = { orgId: reg.org_id, teamId: pseudo };
  if (perm.area !== 'registry') return deny(`${perm.id} does not apply to a registry`);
  if (!activeIn(p, reg.org_id) || p.org?.role === 'admin') return answer(can(p, perm.id, scope));
  let best: { role: RegistryRole; via: string } | undefined;
  const offer = (role: RegistryRole | undefined, via: string) => {
    if (role && (!best || REGISTRY_RANK[role] > REGISTRY_RANK[best.role])) best = { role, via };
  };
  const teamRoles = s.registryTeamRoles.get(reg.id);
  if (a.kind === 'service') {
    if (a.sa.teamId) offer(teamRoles?.get(a.sa.teamId), `registry role {r} held by the service account's team`);
  } else {
    if (p.memberId) offer(s.registryUserRoles.get(reg.id)?.get(p.memberId), 'registry role {r}');
    for (const teamId of p.teams.keys()) offer(teamRoles?.get(teamId), `registry role {r} held by team ${teamId}`);
  }
  if (reg.visibility === 'organization') offer('viewer', `registry ${reg.name} is visible to the organization (viewer)`);
  if (!best) return deny(`registry ${reg.name} is restricted, and this principal holds no role in it`);
  const via = best.via.replace('{r}', best.role);
  return answer(can(withTeam(p, pseudo, { role: REGISTRY_AS_TEAM[best.role] }), perm.id, scope), via);
}

function attribute(s: Snapshot, a: Asker, orgId: string, name: string): DecisionResult | { memberId: string; accountId: string | null; reason: string } {
  if (a.kind !== 'service') return deny('attribution (WANDB_USERNAME, WANDB_USER_EMAIL) applies to runs logged with a service account');
  const key = identityKey(name);
  const team = a.sa.teamId;
  const candidates = (s.attribution.get(`${orgId}|${key}`) ?? []).filter((r) => !team || s.places.get(r.id)?.has(team));
  // userName is unique in an organization; emails may repeat (RFC 7643 §4.1.2).
  const byName = candidates.filter((r) => r.userNameKey === key);
  const pick = byName.length === 1 ? byName : candidates;
  const where = team ? `the service account's team ${team}` : 'the organization';
  if (!pick.length) return deny(`${name} is not an active member of ${where}, so the run cannot be attributed to them`);
  if (pick.length > 1) return deny(`${name} names ${pick.length} people of ${where}; attribute by userName`);
  const r = pick[0]!;
  return { memberId: r.id, accountId: r.accountId, reason: `run may be attributed to ${name}, an active member of ${where}` };
}

/** Answers one request from the snapshot. Pure. */
export function decideOne(s: Snapshot, item: DecisionRequest, ask: AskScope): DecisionResult {
  const permId = resolvePermissionName(item.permission);
  const perm = permId ? findPermission(permId) : undefined;
  if (!perm) return deny(`unknown permission ${item.permission}`);

  const r = item.resource;
  let orgId: string | undefined;
  if (r.type === 'organization') orgId = s.orgs.has(r.id) ? r.id : undefined;
  else if (r.type === 'team') orgId = s.teams.get(r.id)?.orgId;
  else if (r.type === 'registry') orgId = s.registries.get(r.id)?.org_id;
  else orgId = s.projects.get(r.type === 'project' ? r.id : r.project)?.org_id;
  const what = r.type === 'object' ? `project ${r.project}` : `${r.type} ${r.id}`;
  // Outside the asker's organizations, an existing resource reads exactly like a missing one.
  if (!orgId || (ask.kind === 'orgs' && !ask.orgIds.has(orgId))) return deny(`${what} not found`);

  const asker = resolveAsker(s, item);
  if (typeof asker === 'string') return deny(asker);
  const p = principalIn(s, asker, orgId);
  if (typeof p === 'string') return deny(p);

  let result: DecisionResult;
  if (r.type === 'organization') result = answer(can(p, perm.id, { orgId }));
  else if (r.type === 'team') {
    const orgWide = asker.kind === 'service' && asker.sa.teamId === null;
    result = answer(can(orgWide ? withTeam(p, r.id, { role: 'member' }) : p, perm.id, { orgId, teamId: r.id }));
  } else if (r.type === 'registry') result = decideRegistry(s, asker, p, perm, r.id);
  else if (r.type === 'project') result = decideProject(s, asker, p, perm, r.id, s.projects.get(r.id)!.owner_account_id ?? undefined);
  else result = decideProject(s, asker, p, perm, r.project, ownerId(s, r.owner, orgId));

  if (item.attributeTo === undefined || result.decision === 'deny') return result;
  const who = attribute(s, asker, orgId, item.attributeTo);
  if ('decision' in who) return who;
  return { decision: 'allow', reason: `${result.reason}; ${who.reason}`, attributedTo: { memberId: who.memberId, accountId: who.accountId } };
}

/**
 * Answers a batch in order. One read-only transaction: the batch sees one state of the
 * directory, and nothing of it outlives the call (no cache, so no stale allow).
 */
export async function decideBatch(conn: Conn, items: readonly DecisionRequest[], ask: AskScope, now: Date = new Date()): Promise<DecisionResult[]> {
  const snapshot = await conn.transaction((trx) => loadSnapshot(trx, items, now));
  return items.map((it) => decideOne(snapshot, it, ask));
}
