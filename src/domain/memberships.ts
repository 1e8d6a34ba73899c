import type { Conn } from '../db/connect.ts';
import { sql } from '../db/sql.ts';
import { newId } from '../lib/secrets.ts';
import { revokeAdminKeysOfRecord } from './admin-keys.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { invalid, notFound } from './errors.ts';
import { guardOrgAdmins } from './last-admin-guard.ts';
import { getOrganization } from './organizations.ts';
import { createPerson, type PersonInput, type RecordLink } from './people.ts';
import { allocateSeat } from './seats.ts';
import { revokeUserApiKeys } from './sessions.ts';
import { ORG_ROLES, SEATS, type MembershipRow, type MembershipStatus, type OrgRole, type Seat, type UserRow } from './types.ts';

export interface AddMemberInput {
  orgId: string;
  /** The new record's profile: a record is always new, never another one adopted. */
  person: PersonInput;
  /** A link proven at creation (sign-in capture, managed domain, the CLI's first admin). */
  link?: RecordLink;
  orgRole?: OrgRole;
  modelsSeat?: Seat;
  weaveAccess?: Seat;
  status?: MembershipStatus;
  externalId?: string | null;
  /** Attributes the IdP owns for this membership (sign-in claims must not overwrite them). */
  idpOwned?: string[];
  /** 'org-policy': fall back to a viewer seat when full seats are gone and the org allows it. */
  seatOverflow?: 'refuse' | 'org-policy';
}

export interface MemberRecord {
  user: UserRow;
  membership: MembershipRow;
}

const snapshot = (m: MembershipRow) => ({
  status: m.status,
  orgRole: m.org_role,
  modelsSeat: m.models_seat,
  weaveAccess: m.weave_access,
  customRoleId: m.custom_role_id,
});

function checkRole(role: string): asserts role is OrgRole {
  if (!ORG_ROLES.includes(role as OrgRole)) throw invalid(`organization role must be one of ${ORG_ROLES.join(', ')}`, { role });
}
function checkSeat(seat: string): asserts seat is Seat {
  if (!SEATS.includes(seat as Seat)) throw invalid(`seat must be one of ${SEATS.join(', ')}`, { seat });
}

export async function getMembership(conn: Conn, orgId: string, userId: string): Promise<MembershipRow> {
  const m = await conn('memberships').where({ org_id: orgId, user_id: userId }).first<MembershipRow | undefined>();
  if (!m) throw notFound('member', userId);
  return m;
}

export async function findMembership(conn: Conn, orgId: string, userId: string): Promise<MembershipRow | undefined> {
  return conn('memberships').where({ org_id: orgId, user_id: userId }).first<MembershipRow | undefined>();
}

// Every create runs one: fixed statements run by db/sql.ts (why: BENCHMARKS.md).
// bench/floor.ts replays the first.
const MEMBERSHIP_COLUMNS = 'id, org_id, user_id, status, org_role, models_seat, weave_access, external_id, idp_owned, deactivated_at';
export const INSERT_MEMBERSHIP = `insert into memberships (${MEMBERSHIP_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, null) returning *`;
const INSERT_DEACTIVATED_MEMBERSHIP = `insert into memberships (${MEMBERSHIP_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, CURRENT_TIMESTAMP) returning *`;

/**
 * Creates a member record in an organization and its membership within the seat license.
 * userName is unique within the organization only: a name another organization holds is
 * a new, separate record here (nothing of theirs is read, nothing of theirs is revealed).
 */
export async function addMember(tx: Tx, input: AddMemberInput): Promise<MemberRecord> {
  const org = await getOrganization(tx.trx, input.orgId);
  const role = input.orgRole ?? 'member';
  checkRole(role);
  const status = input.status ?? 'active';
  const user = await createPerson(tx, org.id, input.person, input.link);
  const id = newId();
  const wanted = input.modelsSeat ?? org.default_models_seat;
  checkSeat(wanted);
  const seat = status === 'deactivated' ? wanted : await allocateSeat(tx.trx, org, wanted, { overflow: input.seatOverflow ?? 'refuse', targetId: user.id, action: 'member.add' });
  const [m] = await sql<MembershipRow>(tx.trx, status === 'deactivated' ? INSERT_DEACTIVATED_MEMBERSHIP : INSERT_MEMBERSHIP, [
      id,
      org.id,
      user.id,
      status,
      role,
      seat,
      input.weaveAccess ?? 'full',
      input.externalId ?? null,
    JSON.stringify(input.idpOwned ?? []),
  ]);
  await audit(tx, { orgId: org.id, action: 'member.add', targetType: 'user', targetId: user.id, after: { userName: user.user_name, ...snapshot(m) } });
  return { user, membership: m };
}

async function update(tx: Tx, m: MembershipRow, patch: Record<string, unknown>, action: string): Promise<MembershipRow> {
  const [row] = await tx.trx('memberships')
    .where({ id: m.id })
    .update({ ...patch, version: tx.trx.raw('version + 1'), updated_at: tx.trx.fn.now() })
    .returning('*');
  const after = row as MembershipRow;
  await audit(tx, { orgId: m.org_id, action, targetType: 'user', targetId: m.user_id, before: snapshot(m), after: snapshot(after) });
  return after;
}

/** Changes the organization role; taking admin away goes through the last-admin guard. */
export async function setOrgRole(tx: Tx, orgId: string, userId: string, role: OrgRole): Promise<MembershipRow> {
  checkRole(role);
  const apply = async () => {
    const m = await getMembership(tx.trx, orgId, userId);
    if (m.org_role === role) return m;
    const after = await update(tx, m, { org_role: role }, 'member.role');
    if (role !== 'admin') {
      // The billing admin is an admin; demotion ends that assignment, and the admin API
      // keys the person made (they borrowed their admin power).
      await tx.trx('organizations').where({ id: orgId, billing_admin_user_id: userId }).update({ billing_admin_user_id: null });
      if (m.org_role === 'admin') await revokeAdminKeysOfRecord(tx, orgId, userId, 'creator demoted');
    }
    return after;
  };
  if (role === 'admin') return apply();
  return guardOrgAdmins(tx, orgId, { action: 'member.role', targetType: 'user', targetId: userId }, apply);
}

/**
 * Seat and Weave changes run through the guard like role changes (issue 14): the seat
 * does not limit administration (permissions/can.ts), and should that ever change, the
 * guard is where an organization left with no admin able to act is refused.
 */
export async function setModelsSeat(tx: Tx, orgId: string, userId: string, seat: Seat): Promise<MembershipRow> {
  checkSeat(seat);
  return guardOrgAdmins(tx, orgId, { action: 'member.seat', targetType: 'user', targetId: userId }, async () => {
    const m = await getMembership(tx.trx, orgId, userId);
    if (m.models_seat === seat) return m;
    if (m.status !== 'deactivated') {
      await allocateSeat(tx.trx, await getOrganization(tx.trx, orgId), seat, { overflow: 'refuse', excludeMembershipId: m.id, targetId: userId, action: 'member.seat' });
    }
    return update(tx, m, { models_seat: seat }, 'member.seat');
  });
}

export async function setWeaveAccess(tx: Tx, orgId: string, userId: string, access: Seat): Promise<MembershipRow> {
  checkSeat(access);
  return guardOrgAdmins(tx, orgId, { action: 'member.weave_access', targetType: 'user', targetId: userId }, async () => {
    const m = await getMembership(tx.trx, orgId, userId);
    if (m.weave_access === access) return m;
    return update(tx, m, { weave_access: access }, 'member.weave_access');
  });
}

/** Pending (invited) or deactivated → active. */
export async function activateMembership(tx: Tx, orgId: string, userId: string): Promise<MembershipRow> {
  const m = await getMembership(tx.trx, orgId, userId);
  if (m.status === 'active') return m;
  if (m.status === 'deactivated') return reactivateMember(tx, orgId, userId);
  return update(tx, m, { status: 'active' }, 'member.activate');
}

/**
 * Deactivation keeps roles for a later reactivation, ends the person's access to this
 * organization at once (every request re-reads the record's status; its API keys here are
 * revoked) and frees the seat (SPEC §1). Their sessions and other organizations are not
 * this organization's to end. An active admin goes through the guard.
 */
export async function deactivateMember(tx: Tx, orgId: string, userId: string): Promise<MembershipRow> {
  return guardOrgAdmins(tx, orgId, { action: 'member.deactivate', targetType: 'user', targetId: userId }, async () => {
    const m = await getMembership(tx.trx, orgId, userId);
    if (m.status === 'deactivated') return m;
    const after = await update(tx, m, { status: 'deactivated', deactivated_at: tx.trx.fn.now() }, 'member.deactivate');
    await revokeUserApiKeys(tx.trx, userId, orgId);
    if (m.org_role === 'admin') await revokeAdminKeysOfRecord(tx, orgId, userId, 'creator deactivated');
    return after;
  });
}

/** Back to active with the roles kept; the seat must be available again. */
export async function reactivateMember(tx: Tx, orgId: string, userId: string): Promise<MembershipRow> {
  const m = await getMembership(tx.trx, orgId, userId);
  if (m.status !== 'deactivated') return m;
  await allocateSeat(tx.trx, await getOrganization(tx.trx, orgId), m.models_seat, { overflow: 'refuse', excludeMembershipId: m.id, targetId: userId, action: 'member.reactivate' });
  return update(tx, m, { status: 'active', deactivated_at: null }, 'member.reactivate');
}

/**
 * Removes the member record, its membership and its team places in this organization.
 * The account, its work and the audit history stay (SPEC §1 "removal keeps work").
 */
export async function removeMember(tx: Tx, orgId: string, userId: string): Promise<void> {
  await guardOrgAdmins(tx, orgId, { action: 'member.remove', targetType: 'user', targetId: userId }, async () => {
    const m = await getMembership(tx.trx, orgId, userId);
    const teams = await tx.trx('team_members as tm')
      .join('teams as t', 't.id', 'tm.team_id')
      .where({ 't.org_id': orgId, 'tm.user_id': userId })
      .select('t.id', 't.name', 'tm.role');
    await tx.trx('team_members')
      .where({ user_id: userId })
      .whereIn('team_id', tx.trx('teams').where({ org_id: orgId }).select('id'))
      .delete();
    await tx.trx('invitations').where({ org_id: orgId, user_id: userId }).whereNull('accepted_at').whereNull('revoked_at').update({ revoked_at: tx.trx.fn.now() });
    await tx.trx('organizations').where({ id: orgId, billing_admin_user_id: userId }).update({ billing_admin_user_id: null });
    await revokeUserApiKeys(tx.trx, userId, orgId);
    if (m.org_role === 'admin') await revokeAdminKeysOfRecord(tx, orgId, userId, 'creator removed');
    // The record is the organization's own: it goes with the membership, so that its
    // userName is free again. The account, its work and the audit history stay.
    const record = await tx.trx('users').where({ id: userId }).first('user_name', 'account_id');
    await tx.trx('users').where({ id: userId, org_id: orgId }).delete();
    await audit(tx, { orgId, action: 'member.remove', targetType: 'user', targetId: userId, before: { userName: record?.user_name, accountId: record?.account_id ?? null, ...snapshot(m), teams } });
  });
}

/** Marks which attributes the IdP owns for this membership (SCIM-provisioned fields). */
export async function setIdpOwned(tx: Tx, orgId: string, userId: string, attributes: string[]): Promise<void> {
  await tx.trx('memberships').where({ org_id: orgId, user_id: userId }).update({ idp_owned: JSON.stringify([...new Set(attributes)].sort()) });
}
