import type { Tx } from '../../../domain/context.ts';
import { isDomainError } from '../../../domain/errors.ts';
import { setOrgRole } from '../../../domain/memberships.ts';
import { roleGroupsFor, type RoleGroupRow } from '../../../domain/role-groups.ts';
import { addTeamMembers, removeTeamMembers, setTeamRole } from '../../../domain/teams.ts';
import type { OrgRole, TeamRole } from '../../../domain/types.ts';
import { invalidValue, mutability } from '../../errors.ts';
import { elementPredicate, valueEqualities } from '../../filter/evaluate.ts';
import { isUuid } from '../../filter/sql.ts';
import type { PatchOp } from '../../patch/normalise.ts';
import { GROUP } from '../../schemas/index.ts';

// Group membership changes computed as a delta and applied with set-based commands, so a
// 10,000-member PATCH is a handful of statements and removing one member never loads the
// member list.

type Obj = Record<string, unknown>;
const CHUNK = 5000;

/** Splits member operations from the rest (path-less values may carry both: Okta). */
export function splitMemberOps(ops: PatchOp[]): { members: PatchOp[]; others: PatchOp[] } {
  const members: PatchOp[] = [];
  const others: PatchOp[] = [];
  for (const o of ops) {
    if (o.path?.attr?.name === 'members') members.push(o);
    else if (!o.path && o.value && typeof o.value === 'object' && 'members' in (o.value as Obj)) {
      const { members: m, ...rest } = o.value as Obj;
      members.push({ op: o.op as 'add' | 'replace', path: { text: 'members', ext: null, attr: GROUP.schema.attributes.find((a) => a.name === 'members')! }, value: m });
      if (Object.keys(rest).length) others.push({ ...o, value: rest });
    } else others.push(o);
  }
  return { members, others };
}

export function memberIds(value: unknown, where = 'members'): string[] {
  const list = Array.isArray(value) ? value : [];
  return list.map((el: Obj, i) => {
    if (typeof el?.type === 'string' && el.type.toLowerCase() === 'group') throw invalidValue(`${where}[${i}]: nested groups are not supported`);
    if (!isUuid(el?.value)) throw invalidValue(`${where}[${i}].value "${String(el?.value)}" is not a user of this organization`);
    return (el.value as string).toLowerCase();
  });
}

export interface MemberDelta {
  replaceAll?: Set<string>;
  add: Set<string>;
  remove: Set<string>;
}

/** Folds the member operations, in order, into one delta. */
export async function foldMemberOps(ops: PatchOp[], loadCurrent: () => Promise<{ value: string; display: string }[]>): Promise<MemberDelta> {
  const d: MemberDelta = { add: new Set(), remove: new Set() };
  const add = (ids: string[]) => ids.forEach((id) => { d.remove.delete(id); d.add.add(id); d.replaceAll?.add(id); });
  const remove = (ids: string[]) => ids.forEach((id) => { d.add.delete(id); d.remove.add(id); d.replaceAll?.delete(id); });
  for (const o of ops) {
    const path = o.path!;
    if (path.sub) throw mutability(`members.${path.sub.name} cannot be changed; remove and add the member instead`);
    if (path.filter) {
      if (o.op !== 'remove') throw mutability('members cannot be changed in place; remove and add the member instead');
      // A value that is not a UUID names no member (ids are UUIDs): nothing to remove, and
      // never a uuid cast for PostgreSQL to fail on (found by test/scim/fuzz.test.ts).
      let ids = valueEqualities(path.filter)?.filter(isUuid).map((v) => v.toLowerCase());
      if (!ids) {
        // An unusual filter (e.g. on display): evaluated against the stored members.
        const pred = elementPredicate(path.filter, path.attr!.subAttributes ?? [], 'members');
        ids = (await loadCurrent()).filter((m) => pred({ ...m, type: 'User' })).map((m) => m.value);
      }
      remove(ids);
      continue;
    }
    if (o.op === 'add') add(memberIds(o.value));
    else if (o.op === 'replace') {
      d.replaceAll = new Set(memberIds(o.value));
      d.add.clear();
      d.remove.clear();
    } else if (o.value !== undefined) remove(memberIds(o.value));
    else {
      d.replaceAll = new Set();
      d.add.clear();
      d.remove.clear();
    }
  }
  return d;
}

async function addMembers(tx: Tx, orgId: string, teamId: string, ids: string[]): Promise<void> {
  try {
    for (let i = 0; i < ids.length; i += CHUNK) await addTeamMembers(tx, orgId, teamId, ids.slice(i, i + CHUNK));
  } catch (err: unknown) {
    if (isDomainError(err, 'not_found') && err.details.what === 'member') {
      throw invalidValue(`member ${String(err.details.id)} is not a user of this organization`);
    }
    throw err;
  }
}

async function removeMembers(tx: Tx, orgId: string, teamId: string, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) await removeTeamMembers(tx, orgId, teamId, ids.slice(i, i + CHUNK));
}

/**
 * Applies a delta; returns who actually came in and who actually left. Role groups act on
 * those only: an IdP's remove of someone who was never in the group (or an add of someone
 * already in it) changes no role — a hand-made admin is not demoted by a stray remove.
 */
export async function applyMemberDelta(tx: Tx, orgId: string, teamId: string, d: MemberDelta): Promise<{ added: string[]; removed: string[] }> {
  let added: string[];
  let removed: string[];
  if (d.replaceAll) {
    const current = new Set((await tx.trx('team_members').where({ team_id: teamId }).pluck('user_id')) as string[]);
    added = [...d.replaceAll].filter((id) => !current.has(id));
    removed = [...current].filter((id) => !d.replaceAll!.has(id));
  } else {
    const asked = [...d.add, ...d.remove];
    const present = new Set<string>();
    for (let i = 0; i < asked.length; i += CHUNK) {
      for (const id of (await tx.trx('team_members').where({ team_id: teamId }).whereIn('user_id', asked.slice(i, i + CHUNK)).pluck('user_id')) as string[]) present.add(id);
    }
    added = [...d.add].filter((id) => !present.has(id));
    removed = [...d.remove].filter((id) => present.has(id));
  }
  if (removed.length) await removeMembers(tx, orgId, teamId, removed);
  if (added.length) await addMembers(tx, orgId, teamId, added);
  return { added, removed };
}

/**
 * Role groups (SPEC §4): a group mapped to an organization role grants that role to its
 * members (and takes it back, through the last-admin guard, when they leave and no other
 * mapped group still grants it); a group mapped to a team role puts its members into
 * that team with that role.
 */
export async function applyRoleGroups(tx: Tx, orgId: string, groupName: string, added: string[], removed: string[]): Promise<void> {
  if (!added.length && !removed.length) return;
  // Only role groups whose source is SCIM: an SSO provider's groups of the same name are
  // another IdP's groups (SPEC §5).
  const rgs = await roleGroupsFor(tx.trx, orgId, 'scim', [groupName]);
  for (const rg of rgs) await applyOne(tx, orgId, groupName, rg, added, removed);
}

// Role groups can overlap (a person in both "admins" and "viewers", or in two groups that
// grant roles in one team): the role they hold is the strongest one their groups grant,
// so joining a weaker group never demotes, and leaving a group falls back to what the
// remaining groups grant — for an organization role, to `member` (a member's role
// without any grant) when none does; for a team role, out of the team.
const ORG_RANK: Record<OrgRole, number> = { viewer: 0, member: 1, admin: 2 };
const TEAM_RANK: Record<TeamRole, number> = { 'view-only': 0, member: 1, admin: 2 };

function strongest<R extends string>(rank: Record<R, number>, roles: R[]): R | null {
  let best: R | null = null;
  for (const r of roles) if (best === null || rank[r] > rank[best]) best = r;
  return best;
}

/**
 * What the SCIM role groups other than `exceptGroup` whose team each person is in grant them:
 * organization roles, or roles in one team. One statement for all the people given (a
 * role group can be large), keyed by person.
 */
async function otherGrants<R>(tx: Tx, orgId: string, userIds: string[], exceptGroup: string, grant: { orgRole: true } | { teamId: string }): Promise<Map<string, R[]>> {
  const out = new Map<string, R[]>();
  if (!userIds.length) return out;
  const q = tx.trx('role_groups as rg')
    .join('teams as t', function () {
      this.on('t.org_id', '=', 'rg.org_id').andOn(tx.trx.raw('t.name_key = lower(normalize(rg.group_name, NFKC))'));
    })
    .join('team_members as tm', 'tm.team_id', 't.id')
    .where('rg.org_id', orgId)
    .where('rg.source', 'scim')
    .whereIn('tm.user_id', userIds)
    .whereRaw('lower(rg.group_name) <> lower(?)', [exceptGroup]);
  const rows = (await ('teamId' in grant
    ? q.where('rg.team_id', grant.teamId).select('tm.user_id', 'rg.team_role as role')
    : q.whereNotNull('rg.org_role').select('tm.user_id', 'rg.org_role as role'))) as { user_id: string; role: R }[];
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.role]);
  return out;
}

/** Current organization roles (or roles in one team) of the people given, in one statement. */
async function currentRoles(tx: Tx, orgId: string, userIds: string[], teamId?: string): Promise<Map<string, string>> {
  if (!userIds.length) return new Map();
  const rows = (teamId
    ? await tx.trx('team_members').where({ team_id: teamId }).whereIn('user_id', userIds).select('user_id', 'role')
    : await tx.trx('memberships').where({ org_id: orgId }).whereIn('user_id', userIds).select('user_id', 'org_role as role')) as { user_id: string; role: string }[];
  return new Map(rows.map((r) => [r.user_id, r.role]));
}

async function applyOne(tx: Tx, orgId: string, groupName: string, rg: RoleGroupRow, added: string[], removed: string[]): Promise<void> {
  if (rg.org_role) {
    const granted = rg.org_role;
    const others = await otherGrants<OrgRole>(tx, orgId, [...added, ...removed], groupName, { orgRole: true });
    const current = await currentRoles(tx, orgId, [...added, ...removed]);
    for (const u of added) {
      if (!current.has(u)) continue;
      const role = strongest(ORG_RANK, [granted, ...(others.get(u) ?? [])])!;
      if (current.get(u) !== role) await setOrgRole(tx, orgId, u, role);
    }
    for (const u of removed) {
      // Only the role this group granted is taken back; one set by hand is left alone.
      if (current.get(u) !== granted) continue;
      const role = strongest(ORG_RANK, others.get(u) ?? []) ?? 'member';
      if (role !== granted) await setOrgRole(tx, orgId, u, role);
    }
    return;
  }
  if (rg.team_id && rg.team_role) {
    const teamId = rg.team_id;
    const others = await otherGrants<TeamRole>(tx, orgId, [...added, ...removed], groupName, { teamId });
    const current = await currentRoles(tx, orgId, [...added, ...removed], teamId);
    const joining = new Map<TeamRole, string[]>();
    for (const u of added) {
      const role = strongest(TEAM_RANK, [rg.team_role, ...(others.get(u) ?? [])])!;
      const cur = current.get(u);
      if (!cur) joining.set(role, [...(joining.get(role) ?? []), u]);
      else if (cur !== role) await setTeamRole(tx, orgId, teamId, u, role);
    }
    for (const [role, ids] of joining) await addTeamMembers(tx, orgId, teamId, ids, role);
    const leaving: string[] = [];
    for (const u of removed) {
      const role = strongest(TEAM_RANK, others.get(u) ?? []);
      if (role === null) leaving.push(u);
      else if (current.get(u) !== undefined && current.get(u) !== role) await setTeamRole(tx, orgId, teamId, u, role);
    }
    if (leaving.length) await removeTeamMembers(tx, orgId, teamId, leaving);
  }
}
