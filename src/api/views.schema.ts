import { z } from 'zod';

// The wire shapes of views.ts, as zod schemas: the API description states them
// (openapi/document.ts) and tests hold every answer against it.

// Any 8-4-4-4-12 hex id (as src/lib/uuid.ts): rows seeded or migrated need not be RFC 9562 v4.
export const id = z.guid();
/** An instant as views.ts writes it: ISO 8601 in UTC. */
export const instant = z.iso.datetime();
export const maybeInstant = instant.nullable();

export const orgSchema = z
  .object({
    id,
    name: z.string(),
    slug: z.string(),
    defaultTeamId: id.nullable(),
    billingAdminUserId: id.nullable(),
    settings: z.object({
      autoProvisioning: z.boolean(),
      domainCapture: z.boolean(),
      teamJoinAtSignup: z.boolean(),
      defaultModelsSeat: z.enum(['full', 'viewer', 'none']),
      seatOverflow: z.enum(['viewer', 'refuse']),
    }),
    seatLicense: z.object({ fullSeats: z.number().int().nullable(), viewerSeats: z.number().int().nullable() }),
    createdAt: instant,
  })
  .strict()
  .meta({ id: 'Organization' });

export const teamSchema = z
  .object({
    id,
    name: z.string(),
    storageType: z.string(),
    settings: z.object({ privacy: z.enum(['private', 'team', 'public']), membersCanInvite: z.boolean(), domainMatching: z.boolean() }).strict(),
    createdAt: instant,
  })
  .strict()
  .meta({ id: 'Team' });

export const domainSchema = z
  .object({
    domain: z.string(),
    status: z.enum(['pending', 'verified']),
    createdAt: instant,
    expiresAt: maybeInstant,
    verifiedAt: maybeInstant,
    verifiedBy: z.enum(['dns', 'operator']).nullable(),
    lastCheckedAt: maybeInstant,
    challenge: z.object({ type: z.literal('TXT'), name: z.string(), value: z.string() }).strict().nullable(),
  })
  .strict()
  .meta({ id: 'Domain' });

/** `{items: [...]}`, the shape of every list. */
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) }).strict();
