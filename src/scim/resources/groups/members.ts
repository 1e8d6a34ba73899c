import type { Tx } from '../../../domain/context.ts';
import { isDomainError } from '../../../domain/errors.ts';
import { findMembership, setOrgRole } from '../../../domain/memberships.ts';
import { roleGroupsFor, type RoleGroupRow } from '../../../domain/role-groups.ts';
import { addTeamMembers, removeTeamMembers, setTeamRole } from '../../../domain/teams.ts';
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
      let ids = valueEqualities(path.filter)?.map((v) => v.toLowerCase());
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

/** Applies a delta; returns who was asked in and who was asked out. */
export async function applyMemberDelta(tx: Tx, orgId: string, teamId: string, d: MemberDelta): Promise<{ added: string[]; removed: string[] }> {
  let added = [...d.add];
  let removed = [...d.remove];
  if (d.replaceAll) {
    const current = new Set((await tx.trx('team_members').where({ team_id: teamId }).pluck('user_id')) as string[]);
    added = [...d.replaceAll].filter((id) => !current.has(id));
    removed = [...current].filter((id) => !d.replaceAll!.has(id));
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
  const rgs = await roleGroupsFor(tx.trx, orgId, [groupName]);
  for (const rg of rgs) await applyOne(tx, orgId, groupName, rg, added, removed);
}

async function stillGranted(tx: Tx, orgId: string, userId: string, role: string, exceptGroup: string): Promise<boolean> {
  const row = await tx.trx('role_groups as rg')
    .join('teams as t', function () {
      this.on('t.org_id', '=', 'rg.org_id').andOn(tx.trx.raw('t.name_key = lower(normalize(rg.group_name, NFKC))'));
    })
    .join('team_members as tm', 'tm.team_id', 't.id')
    .where({ 'rg.org_id': orgId, 'rg.org_role': role, 'tm.user_id': userId })
    .whereRaw('lower(rg.group_name) <> lower(?)', [exceptGroup])
    .first('rg.id');
  return Boolean(row);
}

async function applyOne(tx: Tx, orgId: string, groupName: string, rg: RoleGroupRow, added: string[], removed: string[]): Promise<void> {
  if (rg.org_role) {
    for (const u of added) {
      const m = await findMembership(tx.trx, orgId, u);
      if (m && m.org_role !== rg.org_role) await setOrgRole(tx, orgId, u, rg.org_role);
    }
    for (const u of removed) {
      const m = await findMembership(tx.trx, orgId, u);
      if (m && m.org_role === rg.org_role && !(await stillGranted(tx, orgId, u, rg.org_role, groupName))) {
        await setOrgRole(tx, orgId, u, 'member');
      }
    }
    return;
  }
  if (rg.team_id && rg.team_role) {
    for (const u of added) {
      const cur = await tx.trx('team_members').where({ team_id: rg.team_id, user_id: u }).first('role');
      if (!cur) await addTeamMembers(tx, orgId, rg.team_id, [u], rg.team_role);
      else if (cur.role !== rg.team_role) await setTeamRole(tx, orgId, rg.team_id, u, rg.team_role);
    }
    if (removed.length) await removeTeamMembers(tx, orgId, rg.team_id, removed);
  }
}
