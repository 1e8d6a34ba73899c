import type { Conn } from '../db/connect.ts';
import { hashSecret, newId, newSecret } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { DomainError, invalid, notFound, uniqueness } from './errors.ts';
import { findAccount, linkRecord } from './accounts.ts';
import { emailDomain } from './domains.ts';
import { activateMembership, addMember, findMembership } from './memberships.ts';
import { findRecordByUserName, identityKey } from './people.ts';
import { trustsOrg, type ProviderTrust } from './provisioning/provider-trust.ts';
import { addTeamMember } from './teams.ts';
import type { OrgRole, Seat, UserRow } from './types.ts';

// An invitation makes a pending member record (it holds its seat) and a single-use token.
// It is made out to an email address and accepted only by the person who proves that
// address: their first sign-in with it verified (sign-in.ts links the waiting record), or
// the link opened while signed in as it. Nothing about any existing account is looked up
// or shown to the inviter. It can be revoked; past expires_at it can no longer be accepted.

export interface InviteInput {
  orgId: string;
  /** The invitee's email address. */
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
  /** The pending record; null once a revoked or expired invitation's record is gone. */
  user_id: string | null;
  /** What the inviter typed. */
  invitee: string;
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
  if (!ref) throw invalid('an email address is required');
  if (!emailDomain(ref)) throw invalid(`"${ref}" is not an email address: an invitation is accepted by signing in with that address`);
  for (const teamId of input.teamIds ?? []) {
    if (!(await tx.trx('teams').where({ id: teamId, org_id: input.orgId }).first('id'))) throw notFound('team', teamId);
  }
  if (await findRecordByUserName(tx.trx, input.orgId, ref)) {
    throw uniqueness(`${ref} is already a member of this organization`, { attribute: 'userName' });
  }
  const role = input.orgRole ?? 'member';
  const { user } = await addMember(tx, {
    orgId: input.orgId,
    person: { userName: ref, email: ref },
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
      invitee: ref,
      org_role: role,
      team_ids: JSON.stringify(input.teamIds ?? []),
      token_hash: hashSecret(token),
      invited_by: tx.actor.type === 'user' ? tx.actor.id : null,
      created_at: now,
      expires_at: new Date(now.getTime() + input.ttlDays * 86_400_000),
    })
    .returning('*');
  const invitation = row as InvitationRow;
  await audit(tx, { orgId: input.orgId, action: 'invitation.create', targetType: 'user', targetId: user.id, after: { invitationId: invitation.id, invitee: ref, orgRole: role, teamIds: input.teamIds ?? [] } });
  return { invitation, token };
}

async function accept(tx: Tx, inv: InvitationRow & { user_id: string }, accountId: string): Promise<void> {
  const m = await findMembership(tx.trx, inv.org_id, inv.user_id);
  const record = await tx.trx('users').where({ id: inv.user_id }).first<UserRow | undefined>();
  if (!m || !record) throw new DomainError('expired', 'this invitation is no longer valid');
  // A deactivated record's access was ended by an admin: the link does not undo that (an
  // admin's reactivation does).
  if (m.status === 'deactivated') throw new DomainError('expired', 'this invitation is no longer valid: the membership was deactivated');
  await linkRecord(tx, record, accountId, 'invitation');
  await activateMembership(tx, inv.org_id, inv.user_id);
  // The record's role as it stands is the organization's word: a role an admin (or the
  // IdP) gave or took away since the invitation was made is not undone by accepting it.
  for (const teamId of inv.team_ids) {
    // A team deleted since the invitation is skipped, not an error.
    if (await tx.trx('teams').where({ id: teamId, org_id: inv.org_id }).first('id')) {
      await addTeamMember(tx, inv.org_id, teamId, inv.user_id, 'member');
    }
  }
  await tx.trx('invitations').where({ id: inv.id }).update({ accepted_at: tx.trx.fn.now() });
  await audit(tx, { orgId: inv.org_id, action: 'invitation.accept', targetType: 'user', targetId: inv.user_id, after: { invitationId: inv.id, accountId } });
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
 * accepted (unknown, revoked, already accepted, expired, or its membership is gone or
 * deactivated). The role shown is the record's as it stands: what accepting gives.
 */
export async function previewInvitation(conn: Conn, token: string, now = new Date()): Promise<InvitationPreview | null> {
  const row = (await conn('invitations as i')
    .join('organizations as o', 'o.id', 'i.org_id')
    .join('memberships as m', function () {
      this.on('m.org_id', '=', 'i.org_id').andOn('m.user_id', '=', 'i.user_id');
    })
    .where('i.token_hash', hashSecret(token))
    .whereNot('m.status', 'deactivated')
    .whereNull('i.revoked_at')
    .whereNull('i.accepted_at')
    .where('i.expires_at', '>', now)
    .first('o.name as org_name', 'i.invitee', 'm.org_role', 'i.expires_at')) as
    | { org_name: string; invitee: string; org_role: OrgRole; expires_at: Date }
    | undefined;
  return row ? { orgName: row.org_name, invitee: row.invitee, orgRole: row.org_role, expiresAt: new Date(row.expires_at) } : null;
}

/**
 * Accepts by the link's token, for the signed-in account: only the invitee may, proven by
 * the account's verified address equal to the one invited (or the record already linked
 * to this account). Anyone else holding the link is refused and changes nothing.
 */
export async function acceptInvitationToken(tx: Tx, token: string, accountId: string, now = new Date(), trust: ProviderTrust | null = null): Promise<{ recordId: string; orgId: string }> {
  const inv = await tx.trx('invitations').where({ token_hash: hashSecret(token) }).forUpdate().first<InvitationRow | undefined>();
  if (!inv) throw notFound('invitation');
  usable(inv, now);
  if (!inv.user_id) throw new DomainError('expired', 'this invitation is no longer valid');
  // The session's sign-in provider must be one the organization trusts (SPEC §5; the
  // session's trust, src/sso/trust.ts): a provider trusted for other organizations only
  // never vouches for this organization's people, here no more than at sign-in.
  const org = await tx.trx('organizations').where({ id: inv.org_id }).first<{ slug: string; name: string } | undefined>('slug', 'name');
  if (trust && org && !trustsOrg(trust, org)) {
    throw new DomainError('forbidden', `${org.name} does not trust the provider you signed in with; sign in through one it trusts to accept this invitation`, { reason: 'untrusted_provider', organization: org.name }, {
      orgId: inv.org_id,
      action: 'invitation.accept',
      targetType: 'user',
      targetId: inv.user_id,
    });
  }
  const account = await findAccount(tx.trx, accountId);
  const record = await tx.trx('users').where({ id: inv.user_id }).first<UserRow | undefined>('account_id');
  const invited = identityKey(inv.invitee);
  const proven = record?.account_id === accountId || (record?.account_id === null && account?.email_key === invited);
  if (!account || !proven) {
    throw new DomainError('forbidden', `this invitation is for ${inv.invitee}; sign in with that address to accept it`, { reason: 'other_invitee', invitee: inv.invitee }, {
      orgId: inv.org_id,
      action: 'invitation.accept',
      targetType: 'user',
      targetId: inv.user_id,
    });
  }
  await accept(tx, { ...inv, user_id: inv.user_id }, accountId);
  return { recordId: inv.user_id, orgId: inv.org_id };
}

/** At sign-in: accepts every open, unexpired invitation whose record is linked to this account. */
export async function acceptOpenInvitations(tx: Tx, accountId: string, now = new Date()): Promise<string[]> {
  const open = await tx.trx('invitations as i')
    .join('users as u', 'u.id', 'i.user_id')
    .join('memberships as m', function () {
      this.on('m.org_id', '=', 'i.org_id').andOn('m.user_id', '=', 'i.user_id');
    })
    .where('u.account_id', accountId)
    // A deactivated record stays deactivated (accept refuses it): not an error at sign-in.
    .whereNot('m.status', 'deactivated')
    .whereNull('i.accepted_at')
    .whereNull('i.revoked_at')
    .where('i.expires_at', '>', now)
    .forUpdate()
    .select<(InvitationRow & { user_id: string })[]>('i.*');
  for (const inv of open) await accept(tx, inv, accountId);
  return open.map((i) => i.org_id);
}

/** Revoking withdraws the pending record and membership too (an active one is left alone). */
export async function revokeInvitation(tx: Tx, orgId: string, invitationId: string): Promise<void> {
  const inv = await tx.trx('invitations').where({ id: invitationId, org_id: orgId }).first<InvitationRow | undefined>();
  if (!inv) throw notFound('invitation', invitationId);
  if (inv.revoked_at || inv.accepted_at) return;
  await tx.trx('invitations').where({ id: inv.id }).update({ revoked_at: tx.trx.fn.now() });
  if (inv.user_id) await dropPendingRecord(tx, orgId, inv.user_id);
  await audit(tx, { orgId, action: 'invitation.revoke', targetType: 'user', targetId: inv.user_id, before: { invitationId: inv.id } });
}

/** A pending record exists only for its invitation: it goes with it (its membership cascades). */
async function dropPendingRecord(tx: Tx, orgId: string, recordId: string): Promise<void> {
  const pending = await tx.trx('memberships').where({ org_id: orgId, user_id: recordId, status: 'pending' }).first('id');
  if (pending) await tx.trx('users').where({ id: recordId, org_id: orgId }).delete();
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
    await dropPendingRecord(tx, m.org_id, m.user_id);
    await audit(tx, { orgId: m.org_id, action: 'invitation.expire', targetType: 'user', targetId: m.user_id });
  }
  return expired.length;
}

export async function listInvitations(conn: Conn, orgId: string): Promise<InvitationRow[]> {
  return conn('invitations').where({ org_id: orgId }).orderBy('created_at', 'desc').select<InvitationRow[]>('*');
}

/**
 * Resending makes a new link: a new single-use token and a new expiry; the old link stops
 * working (only its hash was kept, so it cannot be shown again). Only an invitation that
 * is still open — not revoked, not accepted, its pending record still there — can be resent;
 * an expired one that maintenance has not yet dropped is renewed.
 */
export async function resendInvitation(tx: Tx, orgId: string, invitationId: string, ttlDays: number, now = new Date()): Promise<{ invitation: InvitationRow; token: string }> {
  const inv = await tx.trx('invitations').where({ id: invitationId, org_id: orgId }).forUpdate().first<InvitationRow | undefined>();
  if (!inv) throw notFound('invitation', invitationId);
  if (inv.revoked_at) throw new DomainError('expired', 'this invitation was revoked; invite them again');
  if (inv.accepted_at) throw new DomainError('conflict', 'this invitation was already accepted');
  const pending = inv.user_id ? await tx.trx('memberships').where({ org_id: orgId, user_id: inv.user_id, status: 'pending' }).first('id') : undefined;
  if (!pending) throw new DomainError('expired', 'this invitation is no longer open; invite them again');
  const token = newSecret('obinv');
  const [row] = await tx.trx('invitations')
    .where({ id: inv.id })
    .update({ token_hash: hashSecret(token), expires_at: new Date(now.getTime() + ttlDays * 86_400_000) })
    .returning('*');
  await audit(tx, { orgId, action: 'invitation.resend', targetType: 'user', targetId: inv.user_id, before: { expiresAt: inv.expires_at }, after: { invitationId: inv.id, expiresAt: (row as InvitationRow).expires_at } });
  return { invitation: row as InvitationRow, token };
}
