import type { Conn } from '../db/connect.ts';
import { hashSecret, newId, newSecret } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { DomainError, invalid, notFound } from './errors.ts';
import { activateMembership, addMember, findMembership, setOrgRole } from './memberships.ts';
import { findUserByEmail, findUserByUserName } from './people.ts';
import { addTeamMember } from './teams.ts';
import type { OrgRole, Seat } from './types.ts';

// An invitation makes a pending membership (it holds its seat) and a single-use token.
// It is accepted by the invite link or by the person's first SSO sign-in; it can be
// revoked; past expires_at it can no longer be accepted.

export interface InviteInput {
  orgId: string;
  /** An email address, or the userName of someone who already has an account. */
  emailOrUserName: string;
  orgRole?: OrgRole;
  modelsSeat?: Seat;
  teamIds?: string[];
  ttlDays: number;
  now?: Date;
}

export interface InvitationRow {
  id: string;
  org_id: string;
  user_id: string;
  org_role: OrgRole;
  team_ids: string[];
  invited_by: string | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

export async function invite(tx: Tx, input: InviteInput): Promise<{ invitation: InvitationRow; token: string }> {
  const ref = input.emailOrUserName.trim();
  if (!ref) throw invalid('an email address or username is required');
  const isEmail = ref.includes('@');
  const existing = isEmail ? await findUserByEmail(tx.trx, ref) : await findUserByUserName(tx.trx, ref);
  if (!existing && !isEmail) throw notFound('user', ref);
  for (const teamId of input.teamIds ?? []) {
    if (!(await tx.trx('teams').where({ id: teamId, org_id: input.orgId }).first('id'))) throw notFound('team', teamId);
  }
  const role = input.orgRole ?? 'member';
  const { user } = await addMember(tx, {
    orgId: input.orgId,
    person: existing ? { userId: existing.id } : { userName: ref, email: ref },
    orgRole: role,
    ...(input.modelsSeat ? { modelsSeat: input.modelsSeat } : {}),
    status: 'pending',
  });
  const token = newSecret('obinv');
  const now = input.now ?? new Date();
  const [row] = await tx.trx('invitations')
    .insert({
      id: newId(),
      org_id: input.orgId,
      user_id: user.id,
      org_role: role,
      team_ids: JSON.stringify(input.teamIds ?? []),
      token_hash: hashSecret(token),
      invited_by: tx.actor.type === 'user' ? tx.actor.id : null,
      created_at: now,
      expires_at: new Date(now.getTime() + input.ttlDays * 86_400_000),
    })
    .returning('*');
  const invitation = row as InvitationRow;
  await audit(tx, { orgId: input.orgId, action: 'invitation.create', targetType: 'user', targetId: user.id, after: { invitationId: invitation.id, orgRole: role, teamIds: input.teamIds ?? [] } });
  return { invitation, token };
}

async function accept(tx: Tx, inv: InvitationRow): Promise<void> {
  const m = await findMembership(tx.trx, inv.org_id, inv.user_id);
  if (!m) throw new DomainError('expired', 'this invitation is no longer valid');
  await activateMembership(tx, inv.org_id, inv.user_id);
  if (m.org_role !== inv.org_role) await setOrgRole(tx, inv.org_id, inv.user_id, inv.org_role);
  for (const teamId of inv.team_ids) {
    // A team deleted since the invitation is skipped, not an error.
    if (await tx.trx('teams').where({ id: teamId, org_id: inv.org_id }).first('id')) {
      await addTeamMember(tx, inv.org_id, teamId, inv.user_id, 'member');
    }
  }
  await tx.trx('invitations').where({ id: inv.id }).update({ accepted_at: tx.trx.fn.now() });
  await audit(tx, { orgId: inv.org_id, action: 'invitation.accept', targetType: 'user', targetId: inv.user_id, after: { invitationId: inv.id } });
}

function usable(inv: InvitationRow, now: Date): void {
  if (inv.revoked_at) throw new DomainError('expired', 'this invitation was revoked');
  if (inv.accepted_at) throw new DomainError('expired', 'this invitation was already accepted');
  if (new Date(inv.expires_at).getTime() <= now.getTime()) throw new DomainError('expired', 'this invitation has expired');
}

export interface InvitationPreview {
  orgName: string;
  /** The address or username the invitation was made out to. */
  invitee: string;
  orgRole: OrgRole;
  expiresAt: Date;
}

/**
 * What the invite link's page shows before it is used: null when the link cannot be
 * accepted (unknown, revoked, already accepted, expired, or its membership is gone).
 */
export async function previewInvitation(conn: Conn, token: string, now = new Date()): Promise<InvitationPreview | null> {
  const row = (await conn('invitations as i')
    .join('organizations as o', 'o.id', 'i.org_id')
    .join('users as u', 'u.id', 'i.user_id')
    .join('memberships as m', function () {
      this.on('m.org_id', '=', 'i.org_id').andOn('m.user_id', '=', 'i.user_id');
    })
    .where('i.token_hash', hashSecret(token))
    .whereNull('i.revoked_at')
    .whereNull('i.accepted_at')
    .where('i.expires_at', '>', now)
    .first('o.name as org_name', 'u.email', 'u.user_name', 'i.org_role', 'i.expires_at')) as
    | { org_name: string; email: string | null; user_name: string; org_role: OrgRole; expires_at: Date }
    | undefined;
  return row ? { orgName: row.org_name, invitee: row.email ?? row.user_name, orgRole: row.org_role, expiresAt: new Date(row.expires_at) } : null;
}

/** Accepts by the link's token. Returns the invited person's id and organization. */
export async function acceptInvitationToken(tx: Tx, token: string, now = new Date()): Promise<{ userId: string; orgId: string }> {
  const inv = await tx.trx('invitations').where({ token_hash: hashSecret(token) }).forUpdate().first<InvitationRow | undefined>();
  if (!inv) throw notFound('invitation');
  usable(inv, now);
  await accept(tx, inv);
  return { userId: inv.user_id, orgId: inv.org_id };
}

/** On first sign-in: accepts every open, unexpired invitation of this person. */
export async function acceptOpenInvitations(tx: Tx, userId: string, now = new Date()): Promise<string[]> {
  const open = await tx.trx('invitations')
    .where({ user_id: userId })
    .whereNull('accepted_at')
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .forUpdate()
    .select<InvitationRow[]>('*');
  for (const inv of open) await accept(tx, inv);
  return open.map((i) => i.org_id);
}

/** Revoking withdraws the pending membership too (an active one is left alone). */
export async function revokeInvitation(tx: Tx, orgId: string, invitationId: string): Promise<void> {
  const inv = await tx.trx('invitations').where({ id: invitationId, org_id: orgId }).first<InvitationRow | undefined>();
  if (!inv) throw notFound('invitation', invitationId);
  if (inv.revoked_at || inv.accepted_at) return;
  await tx.trx('invitations').where({ id: inv.id }).update({ revoked_at: tx.trx.fn.now() });
  await tx.trx('memberships').where({ org_id: orgId, user_id: inv.user_id, status: 'pending' }).delete();
  await audit(tx, { orgId, action: 'invitation.revoke', targetType: 'user', targetId: inv.user_id, before: { invitationId: inv.id } });
}

/** Drops pending memberships whose invitations have all expired; frees their seats. */
export async function expireInvitations(tx: Tx, now = new Date()): Promise<number> {
  const expired = await tx.trx('memberships as m')
    .where('m.status', 'pending')
    .whereNotExists(
      tx.trx('invitations as i')
        .whereRaw('i.org_id = m.org_id and i.user_id = m.user_id')
        .whereNull('i.revoked_at')
        .whereNull('i.accepted_at')
        .where('i.expires_at', '>', now),
    )
    .whereExists(tx.trx('invitations as i').whereRaw('i.org_id = m.org_id and i.user_id = m.user_id'))
    .select('m.id', 'm.org_id', 'm.user_id');
  for (const m of expired) {
    await tx.trx('memberships').where({ id: m.id }).delete();
    await audit(tx, { orgId: m.org_id, action: 'invitation.expire', targetType: 'user', targetId: m.user_id });
  }
  return expired.length;
}

export async function listInvitations(conn: Conn, orgId: string): Promise<InvitationRow[]> {
  return conn('invitations').where({ org_id: orgId }).orderBy('created_at', 'desc').select<InvitationRow[]>('*');
}
