import { z } from 'zod';
import { OBJECT_KINDS } from '../../domain/decisions/types.ts';
import { UUID } from '../ids.ts';

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
