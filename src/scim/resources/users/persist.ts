import { syncManagedAccount } from '../../../domain/accounts.ts';
import type { Tx } from '../../../domain/context.ts';
import { isDomainError } from '../../../domain/errors.ts';
import { setMembershipExternalId } from '../../../domain/external-ids.ts';
import { deactivateMember, reactivateMember, setModelsSeat, setOrgRole, setWeaveAccess } from '../../../domain/memberships.ts';
import { identityKey, updatePerson } from '../../../domain/people.ts';
import { isRegistryRole, REGISTRY_ROLES, setRegistryRoles } from '../../../domain/registries.ts';
import { addTeamMembers, findTeamByName, removeTeamMembers, setTeamRole } from '../../../domain/teams.ts';
import { TEAM_ROLES, type OrgRole, type Seat, type TeamRole } from '../../../domain/types.ts';
import { invalidValue, ScimError } from '../../errors.ts';
import { isUuid } from '../../filter/sql.ts';
import { personChanges, type RegistryRoleInput, type TeamRoleInput, type UserState } from './state.ts';

// Turns the difference between two User states into directory commands, inside the
// caller's transaction, so the guard, the seat license and the audit log apply.

async function resolveTeam(tx: Tx, orgId: string, ref: string): Promise<{ id: string; name: string }> {
  const byId = isUuid(ref) ? await tx.trx('teams').where({ org_id: orgId, id: ref }).first('id', 'name') : undefined;
  const team = byId ?? (await findTeamByName(tx.trx, orgId, ref));
  if (!team) throw invalidValue(`teamRoles: no team "${ref}" in this organization`);
  return { id: team.id, name: team.name };
}

async function resolveTeamRole(tx: Tx, orgId: string, role: string): Promise<TeamRole | { customRoleId: string }> {
  const builtin = TEAM_ROLES.find((r) => r === role.toLowerCase() || (role.toLowerCase() === 'viewer' && r === 'view-only'));
  if (builtin) return builtin;
  const cr = await tx.trx('custom_roles').where({ org_id: orgId }).whereRaw('lower(name) = lower(?)', [role]).first('id');
  if (!cr) throw invalidValue(`teamRoles: "${role}" is neither admin, member, view-only nor a custom role`);
  return { customRoleId: cr.id };
}

export async function applyTeamRoles(tx: Tx, orgId: string, userId: string, before: TeamRoleInput[], after: TeamRoleInput[]): Promise<void> {
  const resolvedAfter = await Promise.all(after.map(async (t) => ({ team: await resolveTeam(tx, orgId, t.team), role: t.role })));
  const keep = new Set(resolvedAfter.map((t) => t.team.id));
  for (const t of before) {
    const team = await resolveTeam(tx, orgId, t.team).catch(() => undefined);
    if (team && !keep.has(team.id)) await removeTeamMembers(tx, orgId, team.id, [userId]);
  }
  for (const { team, role } of resolvedAfter) {
    const current = await tx.trx('team_members as tm')
      .leftJoin('custom_roles as cr', 'cr.id', 'tm.custom_role_id')
      .where({ 'tm.team_id': team.id, 'tm.user_id': userId })
      .first('tm.role', 'tm.custom_role_id', 'cr.name as custom_role_name');
    // A place shows its custom role's name (read.ts): sent back, it is that role, also when
    // the name is a built-in role's (a role named before custom-roles.ts refused such names).
    if (current?.custom_role_id && identityKey(String(current.custom_role_name)) === identityKey(role)) continue;
    const wanted = await resolveTeamRole(tx, orgId, role);
    if (!current) {
      await addTeamMembers(tx, orgId, team.id, [userId], typeof wanted === 'string' ? wanted : 'member');
      if (typeof wanted !== 'string') await setTeamRole(tx, orgId, team.id, userId, wanted);
      continue;
    }
    const same = typeof wanted === 'string' ? current.role === wanted && !current.custom_role_id : current.custom_role_id === wanted.customRoleId;
    if (!same) await setTeamRole(tx, orgId, team.id, userId, wanted);
  }
}

/**
 * The person's own registry roles become exactly `roles` (setRegistryRoles: registries of
 * this organization only, by name; each change audited). Refusals name what was sent.
 */
export async function applyRegistryRoles(tx: Tx, orgId: string, userId: string, roles: RegistryRoleInput[]): Promise<void> {
  for (const { role } of roles) {
    if (!isRegistryRole(role.toLowerCase())) throw invalidValue(`registryRoles: "${role}" is not a registry role (${REGISTRY_ROLES.join(', ')})`);
  }
  try {
    await setRegistryRoles(tx, orgId, userId, roles.map((r) => ({ registryName: r.registry, roleName: r.role })));
  } catch (err: unknown) {
    // `no registry named "x"` (only this organization's registries are looked at)
    if (isDomainError(err) && err.code === 'invalid') throw new ScimError(400, 'invalidValue', `registryRoles: ${err.message}`, {}, { cause: err });
    throw err;
  }
}

export async function persistUserChanges(tx: Tx, orgId: string, userId: string, before: UserState, after: UserState): Promise<void> {
  const person = personChanges(before.person, after.person);
  if (Object.keys(person).length) {
    await updatePerson(tx, userId, person);
    // Only when this organization manages the linked account does the account follow.
    await syncManagedAccount(tx, orgId, userId);
  }
  if (before.externalId !== after.externalId) await setMembershipExternalId(tx, orgId, userId, after.externalId);

  const grants = async () => {
    if (after.orgRole !== undefined && after.orgRole !== before.orgRole) await setOrgRole(tx, orgId, userId, after.orgRole as OrgRole);
    if (after.modelsSeat !== undefined && after.modelsSeat !== before.modelsSeat) await setModelsSeat(tx, orgId, userId, after.modelsSeat as Seat);
    if (after.weaveAccess !== undefined && after.weaveAccess !== before.weaveAccess) await setWeaveAccess(tx, orgId, userId, after.weaveAccess as Seat);
    if (after.teamRoles !== undefined && JSON.stringify(after.teamRoles) !== JSON.stringify(before.teamRoles ?? [])) {
      await applyTeamRoles(tx, orgId, userId, before.teamRoles ?? [], after.teamRoles);
    }
    if (after.registryRoles !== undefined && JSON.stringify(after.registryRoles) !== JSON.stringify(before.registryRoles ?? [])) {
      await applyRegistryRoles(tx, orgId, userId, after.registryRoles);
    }
  };
  // Deactivate first (a seat change then needs no free seat); reactivate last (it
  // takes the seat the membership will have).
  if (before.active && !after.active) {
    await deactivateMember(tx, orgId, userId);
    await grants();
  } else if (!before.active && after.active) {
    await grants();
    await reactivateMember(tx, orgId, userId);
  } else {
    await grants();
  }
}
