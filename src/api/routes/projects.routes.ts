import { Router, type Request, type Response } from 'express';
import { createProject, deleteProject, getProject, listProjectRoles, listProjects, setProjectRole, updateProject, type ProjectRow } from '../../domain/projects.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command } from '../command.ts';
import { assertResourceAllows } from '../engine-check.ts';
import { notFound } from '../errors.ts';
import { UUID } from '../ids.ts';
import { assertCan, orgScopeOf, requireMember } from '../scope.ts';
import { input, validate } from '../validate.ts';
import { iso } from '../views.ts';
import * as s from './projects.schema.ts';

// Projects the platform registers: visibility and project roles (issue 15). Registering,
// renaming and deleting is team administration (org admin, team admin, the platform);
// visibility and project roles also belong to the project's owner (seeds/004).

const view = (p: ProjectRow, roles: { user_id: string; role: string }[] = []) => ({
  id: p.id,
  name: p.name,
  team: p.team_id,
  visibility: p.visibility,
  ownerAccountId: p.owner_account_id,
  roles: roles.map((r) => ({ member: r.user_id, role: r.role })),
  createdAt: iso(p.created_at),
  updatedAt: iso(p.updated_at),
});

function projectId(req: Request): string {
  const id = String(req.params.project ?? '');
  if (!UUID.test(id)) throw notFound('project');
  return id;
}

const teamAdminOf = (req: Request, res: Response, teamId: string) =>
  assertCan(req, res, ['team.settings.manage'], (_r, sc) => ({ orgId: sc.org.id, teamId }));

export function projectRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });

  // Organization admins (and the platform) see every project; others those of their teams.
  r.get('/projects', requireMember, validate(s.listProjects, 'query'), async (_req, res) => {
    const { org, principal } = orgScopeOf(res);
    const { team } = input(res, s.listProjects, 'query');
    const all = principal.org?.role === 'admin' && principal.org.status === 'active';
    const rows = (await listProjects(deps.db, org.id, team)).filter((p) => all || principal.systemAdmin || principal.teams.has(p.team_id));
    const roles = await listProjectRoles(deps.db, rows.map((p) => p.id));
    res.json({ items: rows.map((p) => view(p, roles.filter((x) => x.project_id === p.id))) });
  });

  r.post('/projects', validate(s.createProject), async (req, res) => {
    const body = input(res, s.createProject);
    teamAdminOf(req, res, body.team);
    const p = await command(deps, res, (tx, o) => createProject(tx, o.id, { name: body.name, teamId: body.team, ...(body.visibility ? { visibility: body.visibility } : {}), ...(body.owner ? { owner: body.owner } : {}) }));
    res.status(201).location(`${req.baseUrl}/projects/${p.id}`).json(view(p));
  });

  r.get('/projects/:project', requireMember, async (req, res) => {
    const p = await getProject(deps.db, orgScopeOf(res).org.id, projectId(req));
    await assertResourceAllows(deps, res, 'experiments.view', { type: 'project', id: p.id });
    res.json(view(p, await listProjectRoles(deps.db, [p.id])));
  });

  r.patch('/projects/:project', validate(s.updateProject), async (req, res) => {
    const { org } = orgScopeOf(res);
    const p = await getProject(deps.db, org.id, projectId(req));
    const change = input(res, s.updateProject);
    if (change.visibility !== undefined) await assertResourceAllows(deps, res, 'projects.visibility.edit', { type: 'project', id: p.id });
    if (change.name !== undefined || change.owner !== undefined) teamAdminOf(req, res, p.team_id);
    const after = await command(deps, res, (tx, o) => updateProject(tx, o.id, p.id, change));
    res.json(view(after, await listProjectRoles(deps.db, [p.id])));
  });

  r.delete('/projects/:project', async (req, res) => {
    const p = await getProject(deps.db, orgScopeOf(res).org.id, projectId(req));
    teamAdminOf(req, res, p.team_id);
    await command(deps, res, (tx, o) => deleteProject(tx, o.id, p.id));
    res.status(204).end();
  });

  // Project roles: the same people who set the visibility (seeds/004).
  const roleRoute = async (req: Request, res: Response, role: 'admin' | 'member' | 'view-only' | null) => {
    const p = await getProject(deps.db, orgScopeOf(res).org.id, projectId(req));
    const member = String(req.params.member ?? '');
    if (!UUID.test(member)) throw notFound('member');
    await assertResourceAllows(deps, res, 'projects.visibility.edit', { type: 'project', id: p.id });
    await command(deps, res, (tx, o) => setProjectRole(tx, o.id, p.id, member, role));
    res.json(view(p, await listProjectRoles(deps.db, [p.id])));
  };
  r.put('/projects/:project/roles/:member', validate(s.projectRole), (req, res) => roleRoute(req, res, input(res, s.projectRole).role));
  r.delete('/projects/:project/roles/:member', (req, res) => roleRoute(req, res, null));

  return r;
}
