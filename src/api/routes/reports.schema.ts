import { z } from 'zod';
import { instant } from '../views.schema.ts';

const period = z.enum(['day', 'month', 'all']);

export const activity = z
  .object({ period: period.default('day').meta({ description: 'Buckets: days (the last 30), months (the last 12) or years (all time).' }) })
  .strict();

export const auditQuery = z
  .object({
    actor: z.string().trim().min(1).max(200).optional().meta({ description: "An actor's exact id, or part of its label (a userName, \"admin API key …\")." }),
    target: z.string().trim().min(1).max(200).optional().meta({ description: "A target's exact id, or part of its name." }),
    action: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[a-z_.*]+$/, 'letters, dots, underscores, and a trailing *')
      .optional()
      .meta({ description: 'An exact action ("member.role"), or a prefix ending in a dot or a star ("member.", "member.*").' }),
    outcome: z.enum(['ok', 'refused']).optional().meta({ description: 'Only changes that were made (ok) or refused.' }),
    from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Entries at or after this instant.' }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Entries before this instant.' }),
    cursor: z.coerce.number().int().positive().optional().meta({ description: 'The previous page\'s nextCursor: entries older than it.' }),
    limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Entries per page.' }),
  })
  .strict();

// Answers (the API description states them; tests hold every answer against it).

export const activityReport = z
  .object({
    period,
    series: z.array(
      z
        .object({
          bucket: z.iso.date().meta({ description: 'The first day of the day, month or year (UTC).' }),
          users: z.number().int().meta({ description: 'Distinct members active in it.' }),
        })
        .strict(),
    ).meta({ description: 'Buckets with any activity, oldest first; a bucket without activity is left out.' }),
  })
  .strict();

export const auditEntry = z
  .object({
    id: z.number().int(),
    at: instant,
    actor: z
      .object({
        type: z.enum(['user', 'scim', 'sso', 'cli', 'system', 'api_key', 'platform']),
        id: z.string().nullable().meta({ description: "The actor's id (an account, a key, a token), where it has one." }),
        label: z.string().nullable().meta({ description: 'How the actor was named when it acted (a userName, "admin API key …").' }),
      })
      .strict(),
    action: z.string().meta({ description: 'What was done or attempted, e.g. "member.role".' }),
    actionLabel: z.string().meta({ description: 'The action as a phrase ("Organization role changed").' }),
    target: z
      .object({
        type: z.string().nullable(),
        id: z.string().nullable(),
        name: z.string().nullable().meta({ description: "The target's current name, else the name the entry recorded." }),
      })
      .strict(),
    before: z.unknown().meta({ description: 'The target before the change, as recorded (JSON), or null.' }),
    after: z.unknown().meta({ description: 'The target after the change, as recorded (JSON), or null.' }),
    summary: z.string().meta({ description: 'What changed, in words ("role: Member → Admin"), or the refusal\'s reason.' }),
    outcome: z.enum(['ok', 'refused']),
    reason: z.string().nullable().meta({ description: 'Why it was refused.' }),
  })
  .strict()
  .meta({ id: 'AuditEntry' });

export const auditPage = z
  .object({
    items: z.array(auditEntry),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next (older) page; null on the last page.' }),
  })
  .strict();
