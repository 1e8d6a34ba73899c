import { z } from 'zod';

export const activity = z.object({ period: z.enum(['day', 'month', 'all']).default('day') }).strict();

export const auditQuery = z
  .object({
    actor: z.string().trim().min(1).max(200).optional(),
    target: z.string().trim().min(1).max(200).optional(),
    action: z.string().trim().min(1).max(100).regex(/^[a-z_.*]+$/, 'letters, dots, underscores, and a trailing *').optional(),
    outcome: z.enum(['ok', 'refused']).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    cursor: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
