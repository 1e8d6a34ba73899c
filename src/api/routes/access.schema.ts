import { z } from 'zod';
import { ROLE_GROUP_SOURCE } from '../../domain/role-groups.ts';
import { id, instant, maybeInstant } from '../views.schema.ts';

export const scimToken = z.object({ label: z.string().trim().min(1).max(100) }).strict();

// Answers (the API description states them; tests hold every answer against it).

export const scimTokenInfo = z
  .object({
    id,
    label: z.string(),
    createdAt: instant,
    lastUsedAt: maybeInstant,
    revokedAt: maybeInstant.meta({ description: 'When it was revoked; a revoked token stays listed.' }),
  })
  .strict()
  .meta({ id: 'ScimToken' });

export const scimTokenCreated = scimTokenInfo
  .extend({
    token: z.string().meta({ description: 'The secret (obscim_…), shown this once: only its hash is stored. The identity provider sends it as a Bearer token.' }),
  })
  .strict();

export const apiKeyInfo = z
  .object({
    id,
    label: z.string(),
    createdBy: id.nullable().meta({ description: 'The account of the admin who made it (the key lives as long as their admin power).' }),
    createdAt: instant,
    expiresAt: maybeInstant.meta({ description: 'When it stops working; null: no date set.' }),
    lastUsedAt: maybeInstant,
    revokedAt: maybeInstant.meta({ description: 'When it was revoked; a revoked key stays listed.' }),
  })
  .strict()
  .meta({ id: 'ApiKey' });

export const apiKeyCreated = z
  .object({
    id,
    label: z.string(),
    expiresAt: maybeInstant,
    key: z.string().meta({ description: 'The secret (obkey_…), shown this once: only its hash is stored. Send it as a Bearer token.' }),
  })
  .strict();

const source = z.string().regex(ROLE_GROUP_SOURCE);
const roleGroupBase = {
  id,
  source: source.meta({ description: 'Where its group comes from: scim, ldap or oidc:<provider name>.' }),
  groupName: z.string().meta({ description: "The group's name (for ldap, its full DN)." }),
  createdAt: instant,
};
export const roleGroup = z.union([
  z.object({ ...roleGroupBase, orgRole: z.enum(['admin', 'member', 'viewer']) }).strict(),
  z.object({ ...roleGroupBase, teamId: id, teamRole: z.enum(['admin', 'member', 'view-only']) }).strict(),
]).meta({ id: 'RoleGroup' });

export const roleGroups = z
  .object({
    items: z.array(roleGroup),
    sources: z
      .array(z.object({ source: z.string(), label: z.string() }).strict())
      .meta({ description: "Where this organization's role groups can come from: SCIM, and the configured sign-in providers trusted for it." }),
  })
  .strict();
