import { Router } from 'express';
import { createCustomRole, deleteCustomRole, listCustomRoles, updateCustomRole } from '../../domain/custom-roles.ts';
import { CUSTOMIZABLE_PERMISSIONS, PERMISSIONS, isPermissionId } from '../../domain/permissions/index.ts';
import type { CustomRoleRow } from '../../domain/types.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command, idParams } from '../command.ts';
import { authorize, orgScopeOf, requireMember } from '../scope.ts';
import { input, validate } from '../validate.ts';
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
  r.get('/permissions', (_req, res) => {
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
  r.get('/custom-roles', requireMember, async (_req, res) => {
    res.json({ items: (await listCustomRoles(deps.db, orgScopeOf(res).org.id)).map(roleView) });
  });

  r.post('/custom-roles', authorize('org.customRoles.manage'), validate(s.createRole, 'body', s.labels), async (req, res) => {
    const body = input(res, s.createRole);
    const role = await command(deps, res, (tx, o) => createCustomRole(tx, o.id, body, isCustomizable));
    res.status(201).location(`${req.baseUrl}/custom-roles/${role.id}`).json(roleView(role));
  });

  r.patch('/custom-roles/:roleId', authorize('org.customRoles.manage'), idParams('roleId'), validate(s.updateRole, 'body', s.labels), async (req, res) => {
    const body = input(res, s.updateRole);
    const role = await command(deps, res, (tx, o) => updateCustomRole(tx, o.id, String(req.params.roleId), body, isCustomizable));
    res.json(roleView(role));
  });

  r.delete('/custom-roles/:roleId', authorize('org.customRoles.manage'), idParams('roleId'), async (req, res) => {
    await command(deps, res, (tx, o) => deleteCustomRole(tx, o.id, String(req.params.roleId)));
    res.status(204).end();
  });

  return r;
}
