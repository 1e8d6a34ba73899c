import { Router } from 'express';
import { invite, listInvitations, resendInvitation, revokeInvitation, type InvitationRow } from '../../domain/invitations.ts';
import { deactivateMember, reactivateMember, removeMember, setModelsSeat, setOrgRole, setWeaveAccess } from '../../domain/memberships.ts';
import { uniqueness } from '../../domain/errors.ts';
import { identityKey } from '../../domain/people.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command, idParams } from '../command.ts';
import { notFound } from '../errors.ts';
import { getUserRow, listUsers } from '../queries/users.ts';
import { doc, LOCATION } from '../openapi/doc.ts';
import { assertCan, authorize, orgScopeOf } from '../scope.ts';
import { input, validate } from '../validate.ts';
import { iso } from '../views.ts';
import * as s from './users.schema.ts';

const invitationView = (i: InvitationRow) => ({
  id: i.id,
  userId: i.user_id,
  invitee: i.invitee,
  orgRole: i.org_role,
  teamIds: i.team_ids,
  invitedBy: i.invited_by,
  createdAt: iso(i.created_at),
  expiresAt: iso(i.expires_at),
  acceptedAt: iso(i.accepted_at),
  revokedAt: iso(i.revoked_at),
});

/** The page that accepts an invitation's token (GET shows it, POST accepts; src/sso/router.ts). */
const inviteLink = (deps: AppDeps, token: string) => `${deps.config.publicUrl.replace(/\/+$/, '')}/auth/invite/${token}`;

// Someone this organization already has (by userName or address) is not invited again:
// say so plainly. Only this organization's records are looked at.
async function refuseExistingMember(deps: AppDeps, orgId: string, ref: string): Promise<void> {
  const key = identityKey(ref.trim());
  const row = await deps.db('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where('m.org_id', orgId)
    .where((w) => w.where('u.user_name_key', key).orWhere('u.email_key', key))
    .first<{ user_name: string; id: string } | undefined>('u.user_name', 'u.id');
  if (row) throw uniqueness(`${row.user_name} is already a member of this organization`, { attribute: 'userName', userId: row.id });
}

/** Users of the organization: list, invite, role and seat, status, removal. */
export function userRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });

  r.get(
    '/users',
    doc({
      summary: 'List members',
      description:
        "Organization admins. The organization's member records (active, pending and deactivated) with their role, seats, teams, link to an account and activity; filtered, sorted and paged.",
      tag: 'Members',
      responses: { 200: { description: 'One page of members, with the total and the paging and sort that applied.', body: s.userPage } },
    }),
    authorize('org.users.view'), validate(s.listUsers, 'query'), async (_req, res) => {
    const { q, status, role, sort, page, pageSize } = input(res, s.listUsers, 'query');
    const { total, items } = await listUsers(deps.db, orgScopeOf(res).org.id, { q, status, role }, { offset: (page - 1) * pageSize, limit: pageSize }, sort);
    res.json({ items, total, page, pageSize, sort });
  });

  async function userOr404(orgId: string, userId: string) {
    const row = await getUserRow(deps.db, orgId, userId);
    if (!row) throw notFound('member');
    return row;
  }

  r.get(
    '/users/:user',
    doc({
      summary: 'Read a member',
      description: 'Organization admins. One member record as the list shows it.',
      tag: 'Members',
      responses: { 200: { description: 'The member.', body: s.user } },
    }),
    authorize('org.users.view'), idParams('user'), async (req, res) => {
    res.json(await userOr404(orgScopeOf(res).org.id, String(req.params.user)));
  });

  r.get(
    '/users/:user/activity',
    doc({
      summary: "Read a member's activity",
      description: 'Organization admins. When the member was added, when they were last active and on how many days.',
      tag: 'Members',
      responses: { 200: { description: 'Their activity.', body: s.userActivity } },
    }),
    authorize('org.users.view'), idParams('user'), async (req, res) => {
    res.json((await userOr404(orgScopeOf(res).org.id, String(req.params.user))).activity);
  });

  // Role and seat in one request and one transaction: both apply, or neither.
  r.patch(
    '/users/:user',
    doc({
      summary: "Change a member's role or seats",
      description:
        'Organization admins: the organization role, the Models seat and Weave access (give at least one), in one transaction: all apply or none. Refused with 409 when it would leave the organization without an active admin (last_admin) or when the seat license has no seat left (seat_limit). Taking admin away also ends a billing-admin assignment and revokes the admin API keys the member made.',
      tag: 'Members',
      responses: { 200: { description: 'The member as they are now.', body: s.user } },
    }),
    authorize(['org.users.changeRole', 'org.users.changeSeat']), idParams('user'), validate(s.updateUser), async (req, res) => {
    const body = input(res, s.updateUser);
    if (body.orgRole !== undefined) assertCan(req, res, 'org.users.changeRole');
    if (body.modelsSeat !== undefined || body.weaveAccess !== undefined) assertCan(req, res, 'org.users.changeSeat');
    const userId = String(req.params.user);
    await command(deps, res, async (tx, o) => {
      if (body.orgRole !== undefined) await setOrgRole(tx, o.id, userId, body.orgRole);
      if (body.modelsSeat !== undefined) await setModelsSeat(tx, o.id, userId, body.modelsSeat);
      if (body.weaveAccess !== undefined) await setWeaveAccess(tx, o.id, userId, body.weaveAccess);
    });
    res.json(await userOr404(orgScopeOf(res).org.id, userId));
  });

  r.post(
    '/users/:user/deactivate',
    doc({
      summary: 'Deactivate a member',
      description:
        "Organization admins. Ends the member's access to this organization at once and frees their seat; roles and team places are kept for a reactivation, their API keys here are revoked. Refused with 409 for the last active admin. Deactivating a deactivated member changes nothing.",
      tag: 'Members',
      responses: { 200: { description: 'The member as they are now.', body: s.user } },
    }),
    authorize('org.users.changeStatus'), idParams('user'), async (req, res) => {
    const userId = String(req.params.user);
    await command(deps, res, (tx, o) => deactivateMember(tx, o.id, userId));
    res.json(await userOr404(orgScopeOf(res).org.id, userId));
  });

  r.post(
    '/users/:user/reactivate',
    doc({
      summary: 'Reactivate a member',
      description:
        'Organization admins. Back to active with the roles kept; their seat must be available again (409 seat_limit otherwise). Reactivating an active member changes nothing.',
      tag: 'Members',
      responses: { 200: { description: 'The member as they are now.', body: s.user } },
    }),
    authorize('org.users.changeStatus'), idParams('user'), async (req, res) => {
    const userId = String(req.params.user);
    await command(deps, res, (tx, o) => reactivateMember(tx, o.id, userId));
    res.json(await userOr404(orgScopeOf(res).org.id, userId));
  });

  r.delete(
    '/users/:user',
    doc({
      summary: 'Remove a member',
      description:
        "Organization admins. Removes the member record, its membership, team places, open invitations and API keys here; the person's account, their work and the audit history stay. Refused with 409 for the last active admin.",
      tag: 'Members',
      responses: { 204: { description: 'Removed.' } },
    }),
    authorize('org.users.remove'), idParams('user'), async (req, res) => {
    await command(deps, res, (tx, o) => removeMember(tx, o.id, String(req.params.user)));
    res.status(204).end();
  });

  // --- invitations ---
  r.get(
    '/invitations',
    doc({
      summary: 'List invitations',
      description: "Organization admins. Every invitation of the organization, open or not (accepted, revoked, expired), newest first. Tokens are never shown again.",
      tag: 'Invitations',
      responses: { 200: { description: 'The invitations, newest first.', body: s.invitationList } },
    }),
    authorize('org.users.invite'), async (_req, res) => {
    res.json({ items: (await listInvitations(deps.db, orgScopeOf(res).org.id)).map(invitationView) });
  });

  r.post(
    '/invitations',
    doc({
      summary: 'Invite someone',
      description:
        'Organization admins. Makes a pending member record (it holds its seat) and a single-use invitation link, accepted only by someone who signs in with the invited email address. The answer carries the token and the link, shown this once: orgbridge sends no mail. Refused with 409 (uniqueness) when the organization already has a member with that userName or address, and 409 seat_limit when no seat is left.',
      tag: 'Invitations',
      responses: { 201: { description: 'The invitation with its token and link (shown once) and the pending member (Location names the invitation).', body: s.invitationCreated, headers: LOCATION } },
    }),
    authorize('org.users.invite'), validate(s.invite), async (req, res) => {
    const body = input(res, s.invite);
    await refuseExistingMember(deps, orgScopeOf(res).org.id, body.emailOrUserName);
    const { invitation, token } = await command(deps, res, (tx, o) =>
      invite(tx, {
        orgId: o.id,
        emailOrUserName: body.emailOrUserName,
        orgRole: body.orgRole,
        ...(body.modelsSeat ? { modelsSeat: body.modelsSeat } : {}),
        teamIds: body.teamIds,
        ttlDays: deps.config.invitationTtlDays,
        now: deps.now?.() ?? new Date(),
      }),
    );
    // The token is the invitation link's secret: shown once, stored hashed. `link` is the
    // page that accepts it (GET shows it, POST accepts; src/sso/router.ts).
    const link = inviteLink(deps, token);
    res
      .status(201)
      .location(`${req.baseUrl}/invitations/${invitation.id}`)
      .json({ ...invitationView(invitation), token, link, user: await userOr404(invitation.org_id, invitation.user_id!) });
  });

  // A new link for an open invitation (the old one stops working): the dashboard's
  // "Resend" shows it once to copy, as on creation. No mail is sent by orgbridge.
  r.post(
    '/invitations/:invitationId/resend',
    doc({
      summary: 'Resend an invitation',
      description:
        'Organization admins. A new link for an open invitation with a new expiry; the old link stops working. The new token and link are shown this once. Refused with 410 when the invitation was revoked or its pending record is gone, 409 when it was already accepted.',
      tag: 'Invitations',
      responses: { 200: { description: 'The invitation with its new token and link (shown once).', body: s.invitationResent } },
    }),
    authorize('org.users.invite'), idParams('invitationId'), async (req, res) => {
    const { invitation, token } = await command(deps, res, (tx, o) =>
      resendInvitation(tx, o.id, String(req.params.invitationId), deps.config.invitationTtlDays, deps.now?.() ?? new Date()),
    );
    res.json({ ...invitationView(invitation), token, link: inviteLink(deps, token) });
  });

  r.delete(
    '/invitations/:invitationId',
    doc({
      summary: 'Revoke an invitation',
      description:
        'Organization admins. The link stops working and the pending member record is removed with its seat (an invitee who already accepted is left alone). Revoking an invitation that is no longer open changes nothing.',
      tag: 'Invitations',
      responses: { 204: { description: 'Revoked.' } },
    }),
    authorize('org.users.invite'), idParams('invitationId'), async (req, res) => {
    await command(deps, res, (tx, o) => revokeInvitation(tx, o.id, String(req.params.invitationId)));
    res.status(204).end();
  });

  return r;
}
