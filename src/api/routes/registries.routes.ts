import { Router, type Request } from 'express';
import { createRegistry, deleteRegistry, getRegistry, listRegistries, listRegistryRoles, setRegistryRole, updateRegistry, type RegistryRoleRow, type RegistryRow } from '../../domain/registries.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command } from '../command.ts';
import { assertResourceAllows, resourcesAllowed } from '../engine-check.ts';
import { notFound } from '../errors.ts';
import { UUID } from '../ids.ts';
import { authorize, orgScopeOf } from '../scope.ts';
import { doc, LOCATION } from '../openapi/doc.ts';
import { input, validate } from '../validate.ts';
import { iso } from '../views.ts';
import * as s from './projects.schema.ts';
import * as a from './registries.schema.ts';

// Registries and their roles (issue 15). Registering one is organization administration
// (org admins, the platform); its roles are also managed by its registry admins
// (seeds/003 "Add/Remove Registry Admins").

const view = (g: RegistryRow, roles: RegistryRoleRow[] = []) => ({
  id: g.id,
  name: g.name,
  visibility: g.visibility,
  roles: roles.map((r) => (r.user_id ? { member: r.user_id, role: r.role } : { team: r.team_id, role: r.role })),
  createdAt: iso(g.created_at),
  updatedAt: iso(g.updated_at),
});

function registryId(req: Request): string {
  const id = String(req.params.registry ?? '');
  if (!UUID.test(id)) throw notFound('registry');
  return id;
}

export function registryRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });

  r.get(
    '/registries',
    doc({
      summary: 'List registries',
      description: "Active members see the registries visible to the organization and the restricted ones they hold a role in (themselves or through a team); organization admins, system admins and the platform's credential see all. Each with its registry roles.",
      tag: 'Registries',
      platform: true,
      responses: { 200: { description: 'The registries, by name.', body: a.registryList } },
    }),
    async (_req, res) => {
    const all = await listRegistries(deps.db, orgScopeOf(res).org.id);
    // A restricted registry is listed only to those the decision API lets see its models.
    const may = await resourcesAllowed(deps, res, 'registry.models.view', all.map((g) => ({ type: 'registry' as const, id: g.id })));
    const rows = all.filter((_g, i) => may[i]);
    const roles = await listRegistryRoles(deps.db, rows.map((g) => g.id));
    res.json({ items: rows.map((g) => view(g, roles.filter((x) => x.registry_id === g.id))) });
  });

  r.post(
    '/registries',
    doc({
      summary: 'Register a registry',
      description: "Organization admins and the platform's credential. The name is unique in the organization, compared case-insensitively (409). Visibility `organization` unless given.",
      tag: 'Registries',
      platform: true,
      responses: { 201: { description: 'The registry (Location names it).', body: a.registrySchema, headers: LOCATION } },
    }),
    authorize('org.settings.manage'), validate(s.createRegistry), async (req, res) => {
    const body = input(res, s.createRegistry);
    const g = await command(deps, res, (tx, o) => createRegistry(tx, o.id, body));
    res.status(201).location(`${req.baseUrl}/registries/${g.id}`).json(view(g));
  });

  r.get(
    '/registries/:registry',
    doc({
      summary: 'Read a registry',
      description: "Active members who may see its models as the decision API answers (`registry.models.view`: a restricted registry needs a role), organization admins, system admins and the platform's credential. With its registry roles.",
      tag: 'Registries',
      platform: true,
      responses: { 200: { description: 'The registry.', body: a.registrySchema } },
    }),
    async (req, res) => {
    const g = await getRegistry(deps.db, orgScopeOf(res).org.id, registryId(req));
    await assertResourceAllows(deps, res, 'registry.models.view', { type: 'registry', id: g.id });
    res.json(view(g, await listRegistryRoles(deps.db, [g.id])));
  });

  r.patch(
    '/registries/:registry',
    doc({
      summary: 'Rename a registry or change its visibility',
      description: "Organization admins and the platform's credential. Give at least one. A new name is unique in the organization (409).",
      tag: 'Registries',
      platform: true,
      responses: { 200: { description: 'The registry as it is now.', body: a.registrySchema } },
    }),
    authorize('org.settings.manage'), validate(s.updateRegistry), async (req, res) => {
    const id = registryId(req);
    const g = await command(deps, res, (tx, o) => updateRegistry(tx, o.id, id, input(res, s.updateRegistry)));
    res.json(view(g, await listRegistryRoles(deps.db, [g.id])));
  });

  r.delete(
    '/registries/:registry',
    doc({
      summary: 'Delete a registry',
      description: "Organization admins and the platform's credential. Its registry roles go with it.",
      tag: 'Registries',
      platform: true,
      responses: { 204: { description: 'Deleted.' } },
    }),
    authorize('org.settings.manage'), async (req, res) => {
    const id = registryId(req);
    await command(deps, res, (tx, o) => deleteRegistry(tx, o.id, id));
    res.status(204).end();
  });

  // {member, role} or {team, role}; role null takes the role away.
  r.post(
    '/registries/:registry/roles',
    doc({
      summary: 'Give or take away a registry role',
      description:
        "The registry's admins (`registry.admins.manage`, held directly or through a team), organization admins and the platform's credential. `{member, role}` or `{team, role}` (a member record or a team of this organization); a role already held is replaced, and role `null` takes it away (404 when none is held).",
      tag: 'Registries',
      platform: true,
      responses: { 200: { description: 'The registry with its roles.', body: a.registrySchema } },
    }),
    validate(s.registryRole), async (req, res) => {
    const g = await getRegistry(deps.db, orgScopeOf(res).org.id, registryId(req));
    await assertResourceAllows(deps, res, 'registry.admins.manage', { type: 'registry', id: g.id });
    const body = input(res, s.registryRole);
    const holder = 'member' in body ? { memberId: body.member } : { teamId: body.team };
    await command(deps, res, (tx, o) => setRegistryRole(tx, o.id, g.id, holder, body.role));
    res.json(view(g, await listRegistryRoles(deps.db, [g.id])));
  });

  return r;
}
