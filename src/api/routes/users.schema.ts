import { z } from 'zod';

const role = z.enum(['admin', 'member', 'viewer']);
const seat = z.enum(['full', 'viewer', 'none']);

export const listUsers = z
  .object({
    q: z.string().trim().max(200).optional(),
    status: z.enum(['pending', 'active', 'deactivated']).optional(),
    role: role.optional(),
    /** A column, "-" first for descending (queries/users.ts SORTS). */
    sort: z.enum(['name', '-name', 'lastActive', '-lastActive', 'role', '-role', 'modelsSeat', '-modelsSeat', 'weaveAccess', '-weaveAccess', 'email', '-email', 'status', '-status']).default('name'),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
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
    teamIds: z.array(z.uuid()).max(100).default([]),
  })
  .strict();
