import { Router } from 'express';
import { createRoleGroup, deleteRoleGroup, listRoleGroups, type RoleGroupRow } from '../../domain/role-groups.ts';
import { createScimToken, listScimTokens, revokeScimToken, type ScimTokenInfo } from '../../domain/scim-tokens.ts';
import { createApiKey, revokeApiKey } from '../../domain/service-accounts.ts';
import { trustsOrg } from '../../domain/provisioning/provider-trust.ts';
import type { AppDeps } from '../../http/deps.ts';
import { signInSources } from '../../sso/trust.ts';
import { command, idParams } from '../command.ts';
import { doc, LOCATION } from '../openapi/doc.ts';
import { authorize, orgScopeOf } from '../scope.ts';
import { input, validate } from '../validate.ts';
import { list } from '../views.schema.ts';
import { iso } from '../views.ts';
import * as s from './orgs.schema.ts';
import * as a from './access.schema.ts';

// How machines reach the organization: SCIM tokens, admin API keys, and role groups
// (IdP group → organization or team role). Secrets are shown once, at creation.

const tokenView = (t: ScimTokenInfo) => ({ id: t.id, label: t.label, createdAt: iso(t.createdAt), lastUsedAt: iso(t.lastUsedAt), revokedAt: iso(t.revokedAt) });
const roleGroupView = (g: RoleGroupRow) => ({
  id: g.id,
  source: g.source,
  groupName: g.group_name,
  ...(g.org_role ? { orgRole: g.org_role } : { teamId: g.team_id, teamRole: g.team_role }),
  createdAt: iso(g.created_at),
});

export function accessRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });

  // --- SCIM tokens ---
  r.get(
    '/scim-tokens',
    doc({
      summary: 'List SCIM tokens',
      description: "Organization admins. The organization's SCIM tokens, revoked ones included, oldest first; never their secrets.",
      tag: 'SCIM tokens',
      responses: { 200: { description: 'The tokens, oldest first.', body: list(a.scimTokenInfo) } },
    }),
    authorize('org.scimTokens.manage'), async (_req, res) => {
    res.json({ items: (await listScimTokens(deps.db, orgScopeOf(res).org.id)).map(tokenView) });
  });
  r.post(
    '/scim-tokens',
    doc({
      summary: 'Create a SCIM token',
      description: "Organization admins. A bearer token for the identity provider's SCIM client, for this organization. The secret is in this answer only: it is not shown again.",
      tag: 'SCIM tokens',
      responses: { 201: { description: 'The token with its secret, shown once (Location names it).', body: a.scimTokenCreated, headers: LOCATION } },
    }),
    authorize('org.scimTokens.manage'), validate(a.scimToken), async (req, res) => {
    const { label } = input(res, a.scimToken);
    const { token, info } = await command(deps, res, (tx, o) => createScimToken(tx, o.id, label));
    res.status(201).location(`${req.baseUrl}/scim-tokens/${info.id}`).json({ ...tokenView(info), token });
  });
  r.delete(
    '/scim-tokens/:tokenId',
    doc({
      summary: 'Revoke a SCIM token',
      description: 'Organization admins. The token stops working at once and stays listed as revoked; revoking it again changes nothing.',
      tag: 'SCIM tokens',
      responses: { 204: { description: 'Revoked.' } },
    }),
    authorize('org.scimTokens.manage'), idParams('tokenId'), async (req, res) => {
    await command(deps, res, (tx, o) => revokeScimToken(tx, String(req.params.tokenId), o.id));
    res.status(204).end();
  });

  // --- admin API keys (automation) ---
  r.get(
    '/api-keys',
    doc({
      summary: 'List admin API keys',
      description: "Organization admins. The organization's admin API keys, revoked ones included, oldest first; never their secrets.",
      tag: 'API keys',
      responses: { 200: { description: 'The keys, oldest first.', body: list(a.apiKeyInfo) } },
    }),
    authorize('org.serviceAccounts.manage'), async (_req, res) => {
    const rows = await deps.db('api_keys').where({ org_id: orgScopeOf(res).org.id, kind: 'admin' }).orderBy('created_at');
    res.json({
      items: rows.map((k: Record<string, unknown>) => ({
        id: k.id,
        label: k.label,
        createdBy: k.created_by ?? null,
        createdAt: iso(k.created_at as Date),
        expiresAt: iso(k.expires_at as Date | null),
        lastUsedAt: iso(k.last_used_at as Date | null),
        revokedAt: iso(k.revoked_at as Date | null),
      })),
    });
  });
  r.post(
    '/api-keys',
    doc({
      summary: 'Create an admin API key',
      description:
        "Organization admins, and admin API keys (a key made with a key has that key's maker). The key acts as an organization admin and borrows its maker's admin power: refused (403) unless the maker is an active admin of the organization, and it stops working when they no longer are, or at `expiresAt` if given (in the future, 400 otherwise). The secret is in this answer only: it is not shown again.",
      tag: 'API keys',
      responses: { 201: { description: 'The key with its secret, shown once (Location names it).', body: a.apiKeyCreated, headers: LOCATION } },
    }),
    authorize('org.serviceAccounts.manage'), validate(s.apiKey), async (req, res) => {
    const { label, expiresAt: until } = input(res, s.apiKey);
    const expiresAt = until ? new Date(until) : null;
    const now = deps.now?.() ?? new Date();
    const { id, key } = await command(deps, res, (tx, o) => createApiKey(tx, o.id, { admin: true }, label, { expiresAt, now }));
    res.status(201).location(`${req.baseUrl}/api-keys/${id}`).json({ id, label, expiresAt: iso(expiresAt), key });
  });
  r.delete(
    '/api-keys/:keyId',
    doc({
      summary: 'Revoke an admin API key',
      description: 'Organization admins. The key stops working at once and stays listed as revoked; an unknown or already revoked key is 404.',
      tag: 'API keys',
      responses: { 204: { description: 'Revoked.' } },
    }),
    authorize('org.serviceAccounts.manage'), idParams('keyId'), async (req, res) => {
    await command(deps, res, (tx, o) => revokeApiKey(tx, o.id, String(req.params.keyId)));
    res.status(204).end();
  });

  // --- role groups ---
  // `sources`: where this organization's role groups can come from — SCIM, and the
  // configured sign-in providers that trust it (the dashboard offers these).
  r.get(
    '/role-groups',
    doc({
      summary: 'List role groups',
      description:
        "Organization admins. The organization's role groups (an identity provider's group mapped to an organization role, or to a role in one team), by source and name, with the sources they can come from here.",
      tag: 'Role groups',
      responses: { 200: { description: 'The role groups and their possible sources.', body: a.roleGroups } },
    }),
    authorize('org.settings.manage'), async (_req, res) => {
    const { org } = orgScopeOf(res);
    const providers = signInSources(deps.config).filter((p) => trustsOrg(p.trust, org));
    res.json({
      items: (await listRoleGroups(deps.db, org.id)).map(roleGroupView),
      sources: [{ source: 'scim', label: 'SCIM' }, ...providers.map((p) => ({ source: p.source, label: p.label }))],
    });
  });
  r.post(
    '/role-groups',
    doc({
      summary: 'Create a role group',
      description:
        "Organization admins. Maps a group from a source (scim when absent, ldap, or oidc:<provider name>) to an organization role, or to a role in one of the organization's teams. A group already mapped from that source is refused (409); an ldap group is named by its full DN.",
      tag: 'Role groups',
      responses: { 201: { description: 'The role group (Location names it).', body: a.roleGroup, headers: LOCATION } },
    }),
    authorize('org.settings.manage'), validate(s.roleGroup), async (req, res) => {
    const { groupName, source, ...grant } = input(res, s.roleGroup);
    const g = await command(deps, res, (tx, o) => createRoleGroup(tx, o.id, groupName, grant, source));
    res.status(201).location(`${req.baseUrl}/role-groups/${g.id}`).json(roleGroupView(g));
  });
  r.delete(
    '/role-groups/:groupId',
    doc({
      summary: 'Delete a role group',
      description: 'Organization admins. Removes the mapping; an unknown one is 404.',
      tag: 'Role groups',
      responses: { 204: { description: 'Deleted.' } },
    }),
    authorize('org.settings.manage'), idParams('groupId'), async (req, res) => {
    const id = String(req.params.groupId);
    await command(deps, res, (tx, o) => deleteRoleGroup(tx, o.id, id));
    res.status(204).end();
  });

  return r;
}
