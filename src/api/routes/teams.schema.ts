import { z } from 'zod';
import { id, maybeInstant, teamSchema } from '../views.schema.ts';

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
    customRoleId: id.optional(),
  })
  .strict();

export const setRole = z.union([z.object({ role: teamRole }).strict(), z.object({ customRoleId: id }).strict()]);

// Answers (the API description states them; tests hold every answer against it).

const teamMember = z
  .object({
    userId: id,
    userName: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    role: teamRole,
    customRole: z.object({ id, name: z.string() }).strict().nullable(),
    status: z.enum(['pending', 'active', 'deactivated']).nullable().meta({ description: 'Their membership of the organization.' }),
    addedAt: maybeInstant,
  })
  .strict()
  .meta({ id: 'TeamMember' });

export const teamListed = teamSchema.extend({ memberCount: z.number().int(), myRole: teamRole.nullable().meta({ description: "The caller's role in the team, if they are in it." }) }).strict();
export const teamDetail = teamSchema.extend({ members: z.array(teamMember) }).strict();
export const teamWithCapabilities = teamDetail
  .extend({
    can: z
      .object({ addMembers: z.boolean(), removeMembers: z.boolean(), assignRoles: z.boolean(), manageSettings: z.boolean(), delete: z.boolean() })
      .strict()
      .meta({ description: 'What the caller may do to this team (the dashboard offers exactly these).' }),
  })
  .strict();
