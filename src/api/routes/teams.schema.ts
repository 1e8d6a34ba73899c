import { z } from 'zod';

const name = z.string().trim().min(1).max(128);
/** How the dashboard's team forms label their fields (validate.ts says refusals with them). */
export const labels = { name: { label: 'Team name', what: 'a team name' } };
const settings = {
  privacy: z.enum(['private', 'team', 'public']),
  membersCanInvite: z.boolean(),
  domainMatching: z.boolean(),
};

export const createTeam = z
  .object({ name, storageType: z.string().trim().min(1).max(64).default('default'), ...settings })
  .partial({ privacy: true, membersCanInvite: true, domainMatching: true })
  .strict();

export const updateTeam = z
  .object({ name, ...settings })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give a name or a setting' });

const teamRole = z.enum(['admin', 'member', 'view-only']);

export const addMember = z
  .object({
    /** A member of the organization: their id, userName or email. */
    user: z.string().trim().min(1).max(320),
    role: teamRole.default('member'),
    /** Added with a custom role (its base role applies with its extra permissions). */
    customRoleId: z.uuid().optional(),
  })
  .strict();

export const setRole = z.union([z.object({ role: teamRole }).strict(), z.object({ customRoleId: z.uuid() }).strict()]);
