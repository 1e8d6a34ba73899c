import { z } from 'zod';
import { PERMISSIONS, type PermissionId } from '../../domain/permissions/index.ts';
import { id } from '../views.schema.ts';

// Answers (the API description states them; tests hold every answer against it).

const orgRole = z.enum(['admin', 'member', 'viewer']);
const status = z.enum(['pending', 'active', 'deactivated']);
const permissionId = z.enum(PERMISSIONS.map((p) => p.id) as [PermissionId, ...PermissionId[]]);

/** GET /me for a person: a session, or a personal API key (which sees its own organization only). */
const personMe = z
  .object({
    user: z
      .object({
        id: id.meta({ description: 'The account id.' }),
        userName: z.string().nullable().meta({ description: "The account's email (accounts have no other user name)." }),
        email: z.string().nullable(),
        name: z.string().nullable().meta({ description: 'The display name, else the email.' }),
      })
      .strict(),
    systemAdmin: z.boolean().meta({ description: 'An instance admin (false for a session through a provider trusted for some organizations only).' }),
    orgs: z.array(
      z
        .object({
          id,
          name: z.string(),
          slug: z.string(),
          role: orgRole,
          status,
          memberId: id.meta({ description: "The caller's member record there." }),
        })
        .strict(),
    ),
    csrfToken: z.string().optional().meta({ description: 'Sessions only: send it back in X-CSRF-Token on every write.' }),
  })
  .strict();

/** GET /me for an organization's admin API key: no person, its one organization. */
const adminKeyMe = z
  .object({
    user: z.null(),
    apiKey: z.object({ id }).strict(),
    systemAdmin: z.literal(false),
    orgs: z.array(z.object({ id, name: z.string(), slug: z.string(), role: z.literal('admin'), status: z.literal('active') }).strict()),
  })
  .strict();

export const me = z.union([personMe, adminKeyMe]);

export const orgMe = z
  .object({
    org: z.object({ id, name: z.string(), slug: z.string() }).strict(),
    membership: z
      .object({ role: orgRole, status, modelsSeat: z.enum(['full', 'viewer', 'none']) })
      .strict()
      .nullable()
      .meta({ description: "The caller's membership; null for a system admin who is not a member." }),
    systemAdmin: z.boolean(),
    permissions: z.array(permissionId).meta({ description: 'The organization- and instance-level permissions can() gives the caller here.' }),
    teams: z
      .record(id, z.object({ role: z.enum(['admin', 'member', 'view-only']), permissions: z.array(permissionId) }).strict())
      .meta({ description: "The caller's teams, by team id: their role and the team permissions they hold there." }),
  })
  .strict();
