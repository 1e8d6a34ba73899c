import { Router } from 'express';
import { createCustomRole, deleteCustomRole, listCustomRoles, updateCustomRole } from '../../domain/custom-roles.ts';
import { CUSTOMIZABLE_PERMISSIONS, PERMISSIONS, isPermissionId } from '../../domain/permissions/index.ts';
import type { CustomRoleRow } from '../../domain/types.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command, idParams } from '../command.ts';
import { doc, LOCATION } from '../openapi/doc.ts';
import { authorize, orgScopeOf } from '../scope.ts';
import { input, validate } from '../validate.ts';
import { list } from '../views.schema.ts';
import { iso } from '../views.ts';
import * as s from './roles.schema.ts';

const isCustomizable = (id: string) => isPermissionId(id) && CUSTOMIZABLE_PERMISSIONS.has(id);

const roleView = (r: CustomRoleRow) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  base: r.base,
  permissions: r.permissions,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

/** The permission catalog (no organization needed): what custom roles are built from. */
export function catalogRoutes(): Router {
  const r = Router();
  r.get(
    '/permissions',
    doc({
      summary: 'List the permission catalog',
      description: 'Any caller. Every permission can() knows: where it applies, which built-in roles hold it, and whether a custom role may add it. No organization involved.',
      tag: 'Custom roles',
      responses: { 200: { description: 'The catalog.', body: list(s.permission) } },
    }),
    (_req, res) => {
    res.json({
      items: PERMISSIONS.map((p) => ({
        id: p.id,
        area: p.area,
        level: p.level,
        label: p.label,
        roles: p.roles,
        orgRoles: p.orgRoles,
        systemAdminOnly: p.systemAdminOnly,
        writes: p.writes,
        customizable: p.customizable,
        ...('ownRule' in p && p.ownRule ? { ownRule: p.ownRule } : {}),
      })),
    });
  });
  return r;
}

/** Custom roles: defined by organization admins, assigned in teams by team admins. */
export function roleRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });

  // Team admins pick from this list when assigning roles, so every member may read it.
  r.get(
    '/custom-roles',
    doc({
      summary: 'List custom roles',
      description: "Any active member of the organization (team admins pick from it when assigning roles), and system admins. The organization's custom roles, by name.",
      tag: 'Custom roles',
      responses: { 200: { description: 'The custom roles, by name.', body: list(s.customRole) } },
    }),
    async (_req, res) => {
    res.json({ items: (await listCustomRoles(deps.db, orgScopeOf(res).org.id)).map(roleView) });
  });

  r.post(
    '/custom-roles',
    doc({
      summary: 'Create a custom role',
      description:
        'Organization admins. A base role (viewer or member) and the permissions it adds, each one a custom role may hold (400 naming the others). The name is unique in the organization, compared case-insensitively (409).',
      tag: 'Custom roles',
      responses: { 201: { description: 'The custom role (Location names it).', body: s.customRole, headers: LOCATION } },
    }),
    authorize('org.customRoles.manage'), validate(s.createRole, 'body', s.labels), async (req, res) => {
    const body = input(res, s.createRole);
    const role = await command(deps, res, (tx, o) => createCustomRole(tx, o.id, body, isCustomizable));
    res.status(201).location(`${req.baseUrl}/custom-roles/${role.id}`).json(roleView(role));
  });

  r.patch(
    '/custom-roles/:roleId',
    doc({
      summary: 'Change a custom role',
      description: 'Organization admins: name, description, base role or permissions (replaced whole). Give at least one. A new base role applies to its holders at once.',
      tag: 'Custom roles',
      responses: { 200: { description: 'The custom role as it is now.', body: s.customRole } },
    }),
    authorize('org.customRoles.manage'), idParams('roleId'), validate(s.updateRole, 'body', s.labels), async (req, res) => {
    const body = input(res, s.updateRole);
    const role = await command(deps, res, (tx, o) => updateCustomRole(tx, o.id, String(req.params.roleId), body, isCustomizable));
    res.json(roleView(role));
  });

  r.delete(
    '/custom-roles/:roleId',
    doc({
      summary: 'Delete a custom role',
      description: 'Organization admins. Its holders return to its base role.',
      tag: 'Custom roles',
      responses: { 204: { description: 'Deleted.' } },
    }),
    authorize('org.customRoles.manage'), idParams('roleId'), async (req, res) => {
    await command(deps, res, (tx, o) => deleteCustomRole(tx, o.id, String(req.params.roleId)));
    res.status(204).end();
  });

  return r;
}
