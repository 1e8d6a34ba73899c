import { z } from 'zod';
import { PROJECT_ROLES, PROJECT_VISIBILITIES } from '../../domain/projects.ts';
import { REGISTRY_ROLES, REGISTRY_VISIBILITIES } from '../../domain/registries.ts';
import { UUID } from '../ids.ts';
import { id as uuid, instant, list } from '../views.schema.ts';

const id = z.string().regex(UUID, 'must be a UUID');
const name = z.string().trim().min(1).max(128);
const owner = z.union([z.object({ memberId: id }).strict(), z.object({ accountId: id }).strict()]);

export const createProject = z.object({ name, team: id, visibility: z.enum(PROJECT_VISIBILITIES).optional(), owner: owner.optional() }).strict();
export const updateProject = z
  .object({ name, visibility: z.enum(PROJECT_VISIBILITIES), owner })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give a name, a visibility or an owner' });
export const projectRole = z.object({ role: z.enum(PROJECT_ROLES) }).strict();
export const listProjects = z.object({ team: id.meta({ description: "Only this team's projects (a team id)." }).optional() }).strict();

export const createRegistry = z.object({ name, visibility: z.enum(REGISTRY_VISIBILITIES).optional() }).strict();
export const updateRegistry = z
  .object({ name, visibility: z.enum(REGISTRY_VISIBILITIES) })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give a name or a visibility' });
export const registryRole = z.union([
  z.object({ member: id, role: z.enum(REGISTRY_ROLES).nullable() }).strict(),
  z.object({ team: id, role: z.enum(REGISTRY_ROLES).nullable() }).strict(),
]);

export const createServiceAccount = z.object({ name, team: id.nullable().optional() }).strict();
export const createServiceKey = z.object({ label: z.string().trim().max(100).default(''), expiresInDays: z.number().int().min(1).max(3650).nullable().optional() }).strict();

// Answers (the API description states them; tests hold every answer against it).

export const projectSchema = z
  .object({
    id: uuid,
    name: z.string(),
    team: uuid.meta({ description: "The project's team." }),
    visibility: z.enum(PROJECT_VISIBILITIES),
    ownerAccountId: uuid.nullable().meta({ description: "The owner's account, if the project has one." }),
    roles: z
      .array(z.object({ member: uuid.meta({ description: 'A member record of the project\'s team.' }), role: z.enum(PROJECT_ROLES) }).strict())
      .meta({ description: 'Project roles of named members (they decide while the project is restricted). Empty in the answer to a create.' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .strict()
  .meta({ id: 'Project' });
export const projectList = list(projectSchema);
