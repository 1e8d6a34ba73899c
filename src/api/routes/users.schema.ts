import { z } from 'zod';
import { id, instant, list, maybeInstant } from '../views.schema.ts';

const role = z.enum(['admin', 'member', 'viewer']);
const seat = z.enum(['full', 'viewer', 'none']);
const status = z.enum(['pending', 'active', 'deactivated']);
/** A column, "-" first for descending (queries/users.ts SORTS). */
const sort = z.enum(['name', '-name', 'lastActive', '-lastActive', 'role', '-role', 'modelsSeat', '-modelsSeat', 'weaveAccess', '-weaveAccess', 'email', '-email', 'status', '-status']);

export const listUsers = z
  .object({
    q: z.string().trim().max(200).optional().meta({ description: 'Part of a userName, email address or display name (case-insensitive).' }),
    status: status.optional().meta({ description: 'Only members with this status.' }),
    role: role.optional().meta({ description: 'Only members with this organization role.' }),
    sort: sort.default('name').meta({ description: 'The column to sort by, "-" first for descending; ties by name.' }),
    page: z.coerce.number().int().min(1).default(1).meta({ description: 'The page, from 1.' }),
    pageSize: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Members per page.' }),
  })
  .strict();

export const updateUser = z
  .object({ orgRole: role, modelsSeat: seat, weaveAccess: seat })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give orgRole, modelsSeat or weaveAccess' });

export const invite = z
  .object({
    emailOrUserName: z.string().trim().min(1).max(320),
    orgRole: role.default('member'),
    modelsSeat: seat.optional(),
    teamIds: z.array(id).max(100).default([]),
  })
  .strict();

// Answers (the API description states them; tests hold every answer against it).

export const userActivity = z
  .object({
    addedAt: instant.meta({ description: 'When the membership was made.' }),
    lastActiveAt: maybeInstant,
    daysActive: z.number().int().meta({ description: 'Days on which the member was active in this organization.' }),
  })
  .strict();

/** One member record with its membership, as queries/users.ts reads it (the list, the CSV and the dashboard share it). */
export const user = z
  .object({
    id,
    userName: z.string(),
    name: z.string().meta({ description: 'The display name, else given and family name, else the userName.' }),
    email: z.string().nullable(),
    orgRole: role,
    modelsSeat: seat,
    weaveAccess: seat,
    status,
    teams: z.array(z.object({ id, name: z.string(), role: z.enum(['admin', 'member', 'view-only']), customRoleId: id.nullable() }).strict()),
    billingAdmin: z.boolean(),
    linked: z.boolean().meta({ description: 'Whether the record is linked to an account (someone who signs in).' }),
    linkedBy: z.enum(['sign_in', 'invitation', 'managed_domain', 'operator', 'migration']).nullable().meta({ description: 'How the record was linked to its account.' }),
    lastSignInAt: maybeInstant.meta({ description: "When the linked account last signed in (any organization's sign-in)." }),
    activity: userActivity,
    invitation: z
      .object({ id, teams: z.array(z.object({ id, name: z.string() }).strict()), createdAt: instant, expiresAt: instant })
      .strict()
      .nullable()
      .meta({ description: "A pending member's open invitation: the teams it joins on acceptance, and until when it can be accepted." }),
  })
  .strict()
  .meta({ id: 'Member' });

export const userPage = z
  .object({
    items: z.array(user),
    total: z.number().int().meta({ description: 'Members matching the filters, on all pages.' }),
    page: z.number().int(),
    pageSize: z.number().int(),
    sort,
  })
  .strict();

export const invitation = z
  .object({
    id,
    userId: id.nullable().meta({ description: 'The pending member record; null once a revoked or expired invitation\'s record is gone.' }),
    invitee: z.string().meta({ description: 'The address the invitation was made out to.' }),
    orgRole: role,
    teamIds: z.array(id),
    invitedBy: id.nullable().meta({ description: 'The account that invited, if a person did.' }),
    createdAt: instant,
    expiresAt: instant,
    acceptedAt: maybeInstant,
    revokedAt: maybeInstant,
  })
  .strict()
  .meta({ id: 'Invitation' });

const link = {
  token: z.string().meta({ description: "The invitation link's secret (obinv_…): shown in this answer only, stored hashed." }),
  link: z.string().meta({ description: 'The page that accepts the invitation, with the token in it: share it with the invitee (orgbridge sends no mail).' }),
};

export const invitationList = list(invitation);
export const invitationCreated = invitation.extend({ ...link, user }).strict();
export const invitationResent = invitation.extend(link).strict();
