import { z } from 'zod';
import { REGISTRY_ROLES, REGISTRY_VISIBILITIES } from '../../domain/registries.ts';
import { id, instant, list } from '../views.schema.ts';

// The registry routes' request schemas live in projects.schema.ts.

// Answers (the API description states them; tests hold every answer against it).

const role = z.enum(REGISTRY_ROLES);
const registryRole = z.union([
  z.object({ member: id.meta({ description: 'A member record holding the role.' }), role }).strict(),
  z.object({ team: id.meta({ description: 'A team whose every member holds the role.' }), role }).strict(),
]);

export const registrySchema = z
  .object({
    id,
    name: z.string(),
    visibility: z.enum(REGISTRY_VISIBILITIES),
    roles: z.array(registryRole).meta({ description: 'Registry roles held by a person or by a team, by role. Empty in the answer to a create.' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .strict()
  .meta({ id: 'Registry' });
export const registryList = list(registrySchema);
