import { z } from 'zod';
import { OBJECT_KINDS } from '../../domain/decisions/types.ts';
import { UUID } from '../ids.ts';
import { id as uuid } from '../views.schema.ts';

// POST /api/v1/decisions — {checks: [{principal, permission, resource, attributeTo?}]}.
const id = z.string().regex(UUID, 'must be a UUID');

const principal = z.union([
  z.object({ type: z.literal('person'), accountId: id }).strict(),
  z.object({ type: z.literal('person'), memberId: id }).strict(),
  z.object({ type: z.literal('apiKey'), key: z.string().min(1).max(200) }).strict(),
  z.object({ type: z.literal('serviceAccount'), id }).strict(),
]);

const owner = z.union([
  z.object({ accountId: id }).strict(),
  z.object({ memberId: id }).strict(),
  z.object({ serviceAccountId: id }).strict(),
]);

const resource = z.union([
  z.object({ type: z.enum(['organization', 'team', 'project', 'registry']), id }).strict(),
  z.object({ type: z.literal('object'), kind: z.enum(OBJECT_KINDS), project: id, owner }).strict(),
]);

export const check = z
  .object({
    principal,
    permission: z.string().min(1).max(200),
    resource,
    attributeTo: z.string().trim().min(1).max(320).optional(),
  })
  .strict();

export const decisions = z.object({ checks: z.array(check).min(1) }).strict();

// Answers (the API description states them; tests hold every answer against it).

const result = z
  .object({
    decision: z.enum(['allow', 'deny']),
    reason: z.string().meta({ description: 'Why, in words (a resource outside what the caller may ask about reads as "not found").' }),
    attributedTo: z
      .object({ memberId: uuid, accountId: uuid.nullable() })
      .strict()
      .optional()
      .meta({ description: "Present on an allow whose check named `attributeTo`: the service account's run may be attributed to this member record (and its account, if linked)." }),
  })
  .strict()
  .meta({ id: 'Decision' });

export const decisionResults = z
  .object({ results: z.array(result).meta({ description: 'One per check, in the order asked.' }) })
  .strict();
