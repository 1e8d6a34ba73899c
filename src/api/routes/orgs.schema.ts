import { z } from 'zod';
import { MAX_SEATS } from '../../domain/organizations.ts';
import { ROLE_GROUP_SOURCE, type RoleGroupSource } from '../../domain/role-groups.ts';
import { domainSchema, id, orgSchema } from '../views.schema.ts';

/** How the settings form labels the organization's name. */
export const renameLabels = { name: { label: 'Organization name', what: 'an organization name' } };
export const renameOrg = z.object({ name: z.string().trim().min(1).max(200) }).strict();

export const orgSettings = z
  .object({
    autoProvisioning: z.boolean(),
    domainCapture: z.boolean(),
    teamJoinAtSignup: z.boolean(),
    defaultModelsSeat: z.enum(['full', 'viewer', 'none']),
    seatOverflow: z.enum(['viewer', 'refuse']),
  })
  .partial()
  .strict()
  .refine((s) => Object.keys(s).length > 0, { message: 'give at least one setting' });

export const claimDomain = z.object({ domain: z.string().trim().min(1).max(253) }).strict();

export const defaultTeam = z.object({ teamId: id.nullable() }).strict();

const seatCount = z.number().int().min(0).max(MAX_SEATS).nullable();
export const seatLicense = z.object({ fullSeats: seatCount, viewerSeats: seatCount }).strict();

export const billingAdmin = z.object({ userId: id }).strict();

// Where the group comes from (domain/role-groups.ts): `scim`, `oidc:<provider name>` or
// `ldap`. Not required to be configured yet: an admin may map an IdP's groups before the
// operator adds it. Absent → `scim`, what a role group meant to SCIM before sources.
const roleGroupSource = z
  .string()
  .regex(ROLE_GROUP_SOURCE, 'scim, ldap or oidc:<provider name>')
  .default('scim')
  .transform((s) => s as RoleGroupSource);
const groupName = z.string().trim().min(1).max(1024);
export const roleGroup = z.union([
  z.object({ source: roleGroupSource, groupName, orgRole: z.enum(['admin', 'member', 'viewer']) }).strict(),
  z.object({ source: roleGroupSource, groupName, teamId: id, teamRole: z.enum(['admin', 'member', 'view-only']) }).strict(),
]);

// `expiresAt`: when the key stops working (ISO 8601 with an offset); absent or null: it
// lives as long as its creator's admin power (src/domain/admin-keys.ts).
export const apiKey = z
  .object({ label: z.string().trim().min(1).max(100), expiresAt: z.iso.datetime({ offset: true }).nullable().optional() })
  .strict();

// Answers (the API description states them; tests hold every answer against it).

const count = z.number().int().min(0);
/** Members holding each Models seat, deactivated members not counted. */
const seatsUsed = z.object({ full: count, viewer: count, none: count }).strict().meta({ description: 'Members holding each Models seat (deactivated members not counted).' });

export const orgDetail = orgSchema
  .extend({
    domains: z.array(domainSchema).meta({ description: "The organization's domain claims, pending and verified." }),
    seatsUsed,
    deployment: z
      .object({ autoProvisioning: z.boolean() })
      .strict()
      .meta({ description: 'What the deployment allows the organization to turn on: without auto-provisioning, neither autoProvisioning nor domainCapture can be set.' }),
  })
  .strict();

export const domainVerified = domainSchema
  .extend({
    check: z
      .object({ verified: z.boolean(), reason: z.string().nullable().meta({ description: 'Why the TXT record did not verify the claim (null when it did).' }) })
      .strict()
      .nullable()
      .meta({ description: 'The DNS lookup made now; null when the claim was verified already and none was needed.' }),
  })
  .strict();

export const seats = z
  .object({
    license: z.object({ fullSeats: count.nullable(), viewerSeats: count.nullable() }).strict().meta({ description: 'Seats licensed (null: unlimited).' }),
    used: seatsUsed,
  })
  .strict();
