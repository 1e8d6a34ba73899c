import { z } from 'zod';

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
