import { z } from 'zod';
import { id, instant, list, maybeInstant } from '../views.schema.ts';

// The service-account routes' request schemas live in projects.schema.ts.

// Answers (the API description states them; tests hold every answer against it).

export const serviceAccountKey = z
  .object({
    id,
    label: z.string(),
    createdAt: instant,
    expiresAt: maybeInstant.meta({ description: 'When it stops working; null: never.' }),
    lastUsedAt: maybeInstant.meta({ description: 'Last presented to the decision API (minute granularity).' }),
    revokedAt: maybeInstant,
  })
  .strict()
  .meta({ id: 'ServiceAccountKey' });

export const serviceAccount = z
  .object({
    id,
    name: z.string(),
    team: id.nullable().meta({ description: 'The owning team; null: the organization owns it.' }),
    teamName: z.string().nullable().meta({ description: "The owning team's name (null for an organization's account)." }),
    createdAt: instant,
    keys: z.array(serviceAccountKey).meta({ description: 'Its keys, revoked ones included, oldest first; never the secrets. Empty in the answer to a create.' }),
  })
  .strict()
  .meta({ id: 'ServiceAccount' });
export const serviceAccountList = list(serviceAccount);

export const createdServiceAccountKey = serviceAccountKey
  .extend({ key: z.string().meta({ description: 'The secret (obsak_…). Shown only in this answer: only its hash is kept.' }) })
  .strict();
