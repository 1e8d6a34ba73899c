import { z } from 'zod';
import { EVENT_TYPES } from '../../events/types.ts';
import { id, instant, list, maybeInstant } from '../views.schema.ts';

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
    status: z.enum(['pending', 'delivered', 'dead']).optional().meta({ description: 'Only deliveries with this status.' }),
    cursor: z.coerce.number().int().positive().optional().meta({ description: "The previous page's nextCursor: deliveries older than it." }),
    limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Deliveries per page.' }),
  })
  .strict();

export const deliveryParams = z.object({ deliveryId: z.coerce.number().int().positive() }).passthrough();

// Answers (the API description states them; tests hold every answer against it).

const eventType = z.enum(EVENT_TYPES as [string, ...string[]]);

export const eventTypeList = list(eventType);

export const webhook = z
  .object({
    id,
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.union([eventType, z.literal('*')])).meta({ description: 'The event types it receives, sorted; ["*"] for all.' }),
    enabled: z.boolean(),
    previousSecretExpiresAt: maybeInstant.meta({ description: 'After a rotation, until when the previous secret still signs deliveries (beside the new one); null when only one secret signs.' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .strict()
  .meta({ id: 'WebhookEndpoint' });

export const webhookList = list(webhook);
export const webhookWithSecret = webhook
  .extend({ secret: z.string().meta({ description: 'The signing secret (whsec_…, Standard Webhooks): shown in this answer only, never again.' }) })
  .strict();

export const deliveryPage = z
  .object({
    items: z.array(
      z
        .object({
          id: z.number().int(),
          messageId: z.string().meta({ description: 'The webhook-id the receiver sees (msg_…), the same on every attempt.' }),
          eventType,
          eventAt: instant,
          status: z.enum(['pending', 'delivered', 'dead']).meta({ description: 'dead: given up after the last attempt failed.' }),
          attempts: z.number().int(),
          nextAttemptAt: maybeInstant.meta({ description: 'When a pending delivery is tried next; null otherwise.' }),
          lastStatusCode: z.number().int().nullable(),
          lastLatencyMs: z.number().int().nullable(),
          lastError: z.string().nullable(),
          deliveredAt: maybeInstant,
        })
        .strict(),
    ),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next (older) page; null on the last page.' }),
  })
  .strict();

export const attemptList = list(
  z
    .object({
      attempt: z.number().int(),
      at: instant,
      outcome: z.enum(['delivered', 'failed', 'dead']),
      statusCode: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null when no response came." }),
      latencyMs: z.number().int().nullable(),
      error: z.string().nullable(),
    })
    .strict(),
);

export const redelivery = z.object({ id: z.number().int(), status: z.literal('pending') }).strict();
