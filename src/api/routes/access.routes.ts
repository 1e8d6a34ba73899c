import { Router } from 'express';
import { createRoleGroup, deleteRoleGroup, listRoleGroups, type RoleGroupRow } from '../../domain/role-groups.ts';
import { createScimToken, listScimTokens, revokeScimToken, type ScimTokenInfo } from '../../domain/scim-tokens.ts';
import { createApiKey, revokeApiKey } from '../../domain/service-accounts.ts';
import { trustsOrg } from '../../domain/provisioning/provider-trust.ts';
import type { AppDeps } from '../../http/deps.ts';
import { signInSources } from '../../sso/trust.ts';
import { command, idParams } from '../command.ts';
import { authorize, orgScopeOf } from '../scope.ts';
import { input, validate } from '../validate.ts';
import { iso } from '../views.ts';
import * as s from './orgs.schema.ts';
import { scimToken } from './access.schema.ts';

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
  r.get('/scim-tokens', authorize('org.scimTokens.manage'), async (_req, res) => {
    res.json({ items: (await listScimTokens(deps.db, orgScopeOf(res).org.id)).map(tokenView) });
  });
  r.post('/scim-tokens', authorize('org.scimTokens.manage'), validate(scimToken), async (req, res) => {
    const { label } = input(res, scimToken);
    const { token, info } = await command(deps, res, (tx, o) => createScimToken(tx, o.id, label));
    res.status(201).location(`${req.baseUrl}/scim-tokens/${info.id}`).json({ ...tokenView(info), token });
  });
  r.delete('/scim-tokens/:tokenId', authorize('org.scimTokens.manage'), idParams('tokenId'), async (req, res) => {
    await command(deps, res, (tx, o) => revokeScimToken(tx, String(req.params.tokenId), o.id));
    res.status(204).end();
  });

  // --- admin API keys (automation) ---
  r.get('/api-keys', authorize('org.serviceAccounts.manage'), async (_req, res) => {
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
  r.post('/api-keys', authorize('org.serviceAccounts.manage'), validate(s.apiKey), async (req, res) => {
    const { label, expiresAt: until } = input(res, s.apiKey);
    const expiresAt = until ? new Date(until) : null;
    const now = deps.now?.() ?? new Date();
    const { id, key } = await command(deps, res, (tx, o) => createApiKey(tx, o.id, { admin: true }, label, { expiresAt, now }));
    res.status(201).location(`${req.baseUrl}/api-keys/${id}`).json({ id, label, expiresAt: iso(expiresAt), key });
  });
  r.delete('/api-keys/:keyId', authorize('org.serviceAccounts.manage'), idParams('keyId'), async (req, res) => {
    await command(deps, res, (tx, o) => revokeApiKey(tx, o.id, String(req.params.keyId)));
    res.status(204).end();
  });

  // --- role groups ---
  // `sources`: where this organization's role groups can come from — SCIM, and the
  // configured sign-in providers that trust it (the dashboard offers these).
  r.get('/role-groups', authorize('org.settings.manage'), async (_req, res) => {
    const { org } = orgScopeOf(res);
    const providers = signInSources(deps.config).filter((p) => trustsOrg(p.trust, org));
    res.json({
      items: (await listRoleGroups(deps.db, org.id)).map(roleGroupView),
      sources: [{ source: 'scim', label: 'SCIM' }, ...providers.map((p) => ({ source: p.source, label: p.label }))],
    });
  });
  r.post('/role-groups', authorize('org.settings.manage'), validate(s.roleGroup), async (req, res) => {
    const { groupName, source, ...grant } = input(res, s.roleGroup);
    const g = await command(deps, res, (tx, o) => createRoleGroup(tx, o.id, groupName, grant, source));
    res.status(201).location(`${req.baseUrl}/role-groups/${g.id}`).json(roleGroupView(g));
  });
  r.delete('/role-groups/:groupId', authorize('org.settings.manage'), idParams('groupId'), async (req, res) => {
    const id = String(req.params.groupId);
    await command(deps, res, (tx, o) => deleteRoleGroup(tx, o.id, id));
    res.status(204).end();
  });

  return r;
}
