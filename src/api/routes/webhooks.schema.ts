import { z } from 'zod';

const eventTypes = z.array(z.string().trim().min(1).max(100)).min(1).max(50);

export const createWebhook = z
  .object({
    url: z.string().trim().min(1).max(2000),
    description: z.string().trim().max(200).nullable().optional(),
    eventTypes,
    enabled: z.boolean().optional(),
  })
  .strict();

export const updateWebhook = z
  .object({
    url: z.string().trim().min(1).max(2000).optional(),
    description: z.string().trim().max(200).nullable().optional(),
    eventTypes: eventTypes.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const deliveriesQuery = z
  .object({
    status: z.enum(['pending', 'delivered', 'dead']).optional(),
    cursor: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const deliveryParams = z.object({ deliveryId: z.coerce.number().int().positive() }).passthrough();
