import { z } from 'zod';
import { PERMISSIONS, type PermissionId } from '../../domain/permissions/index.ts';
import { id, instant } from '../views.schema.ts';

/** How the custom-role form labels its fields (validate.ts says refusals with them). */
export const labels = { name: { label: 'Role name', what: 'a role name' } };

const fields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000),
  base: z.enum(['viewer', 'member']),
  permissions: z.array(z.string().min(1).max(100)).max(200),
};

export const createRole = z
  .object(fields)
  .partial({ description: true })
  .extend({ permissions: fields.permissions.default([]) })
  .strict();

export const updateRole = z
  .object(fields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field' });

// Answers (the API description states them; tests hold every answer against it).

export const customRole = z
  .object({
    id,
    name: z.string(),
    description: z.string(),
    base: z.enum(['viewer', 'member']).meta({ description: 'The built-in role it extends: viewer (View-Only) or member.' }),
    permissions: z.array(z.string()).meta({ description: 'The permission ids it adds to its base role, sorted.' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .strict()
  .meta({ id: 'CustomRole' });

const grant = z.enum(['allow', 'own', 'deny']);
export const permission = z
  .object({
    id: z.enum(PERMISSIONS.map((p) => p.id) as [PermissionId, ...PermissionId[]]),
    area: z.enum(['team', 'registry', 'reports', 'experiments', 'artifacts', 'projects', 'org', 'system']),
    level: z.enum(['team', 'org', 'system']).meta({ description: 'Where it applies, which decides which role answers for it.' }),
    label: z.string(),
    roles: z.object({ 'view-only': grant, member: grant, admin: grant }).strict().meta({ description: 'How each team role holds it (own: only on what they created).' }),
    orgRoles: z.object({ admin: grant, member: grant, viewer: grant }).strict().meta({ description: 'How each organization role holds it.' }),
    systemAdminOnly: z.boolean(),
    writes: z.boolean().meta({ description: 'It changes state (a viewer seat never writes).' }),
    customizable: z.boolean().meta({ description: 'A custom role may add it.' }),
    ownRule: z.string().optional().meta({ description: "For 'own' grants: the rule in words." }),
  })
  .strict()
  .meta({ id: 'Permission' });
