import { z } from 'zod';
import { id, instant, maybeInstant } from '../views.schema.ts';

export const findAccount = z.strictObject({ email: z.string().trim().min(3).max(320).meta({ description: 'The email the account holds, compared case-insensitively.' }) });
export const identity = z.strictObject({ provider: z.string().trim().min(1).max(512), externalId: z.string().min(1).max(512) });

// Answers (the API description states them; tests hold every answer against it).

export const account = z
  .object({
    id,
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    systemAdmin: z.boolean(),
    lastSignInAt: maybeInstant,
    identities: z
      .array(
        z
          .object({
            provider: z.string().meta({ description: 'Where the identity signs in: oidc:<issuer> or ldap:<directory URL>.' }),
            externalId: z.string().meta({ description: "The person's id at that provider." }),
            createdAt: instant.meta({ description: 'When it was linked.' }),
            lastSeenAt: maybeInstant,
          })
          .strict(),
      )
      .meta({ description: 'Its linked sign-in identities, by provider and external id.' }),
  })
  .strict()
  .meta({ id: 'Account' });
