import { Router, type Request, type Response } from 'express';
import { createProject, deleteProject, getProject, listProjectRoles, listProjects, setProjectRole, updateProject, type ProjectRow } from '../../domain/projects.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command } from '../command.ts';
import { assertResourceAllows, resourcesAllowed } from '../engine-check.ts';
import { notFound } from '../errors.ts';
import { UUID } from '../ids.ts';
import { assertCan, orgScopeOf } from '../scope.ts';
import { doc, LOCATION } from '../openapi/doc.ts';
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
  r.get(
    '/projects',
    doc({
      summary: 'List projects',
      description:
        "Any active member. Organization admins, system admins and the platform's credential see every project; anyone else sees the projects of the teams they are in that they may view (a restricted project only with a project role, as its owner or as team admin). Each with its project roles. `team` narrows the list to one team.",
      tag: 'Projects',
      platform: true,
      responses: { 200: { description: 'The projects, by team and name.', body: s.projectList } },
    }),
    validate(s.listProjects, 'query'), async (_req, res) => {
    const { org, principal } = orgScopeOf(res);
    const { team } = input(res, s.listProjects, 'query');
    const all = principal.org?.role === 'admin' && principal.org.status === 'active';
    const mine = (await listProjects(deps.db, org.id, team)).filter((p) => all || principal.systemAdmin || principal.teams.has(p.team_id));
    // A restricted project is listed only to those the decision API lets view it (GET /projects/:project answers the same).
    const may = await resourcesAllowed(deps, res, 'experiments.view', mine.map((p) => ({ type: 'project' as const, id: p.id })));
    const rows = mine.filter((_p, i) => may[i]);
    const roles = await listProjectRoles(deps.db, rows.map((p) => p.id));
    res.json({ items: rows.map((p) => view(p, roles.filter((x) => x.project_id === p.id))) });
  });

  r.post(
    '/projects',
    doc({
      summary: 'Register a project',
      description:
        "Admins of the project's team, organization admins and the platform's credential. The name is unique in the team, compared case-insensitively (409). Without `visibility` the team's privacy decides (`public` for a public team, `team` otherwise). An owner must be a person of this organization who has signed in (422 otherwise).",
      tag: 'Projects',
      platform: true,
      responses: { 201: { description: 'The project (Location names it).', body: s.projectSchema, headers: LOCATION } },
    }),
    validate(s.createProject), async (req, res) => {
    const body = input(res, s.createProject);
    teamAdminOf(req, res, body.team);
    const p = await command(deps, res, (tx, o) => createProject(tx, o.id, { name: body.name, teamId: body.team, ...(body.visibility ? { visibility: body.visibility } : {}), ...(body.owner ? { owner: body.owner } : {}) }));
    res.status(201).location(`${req.baseUrl}/projects/${p.id}`).json(view(p));
  });

  r.get(
    '/projects/:project',
    doc({
      summary: 'Read a project',
      description:
        "Active members who may view it as the decision API answers `experiments.view` (its visibility, project roles, ownership), organization admins and the platform's credential. With its project roles.",
      tag: 'Projects',
      platform: true,
      responses: { 200: { description: 'The project.', body: s.projectSchema } },
    }),
    async (req, res) => {
    const p = await getProject(deps.db, orgScopeOf(res).org.id, projectId(req));
    await assertResourceAllows(deps, res, 'experiments.view', { type: 'project', id: p.id });
    res.json(view(p, await listProjectRoles(deps.db, [p.id])));
  });

  r.patch(
    '/projects/:project',
    doc({
      summary: "Rename a project, or change its visibility or owner",
      description:
        "A visibility change: the project's owner, admins of its team, organization admins and the platform's credential (`projects.visibility.edit`). A new name or owner: admins of its team, organization admins and the platform's credential. Give at least one.",
      tag: 'Projects',
      platform: true,
      responses: { 200: { description: 'The project as it is now.', body: s.projectSchema } },
    }),
    validate(s.updateProject), async (req, res) => {
    const { org } = orgScopeOf(res);
    const p = await getProject(deps.db, org.id, projectId(req));
    const change = input(res, s.updateProject);
    if (change.visibility !== undefined) await assertResourceAllows(deps, res, 'projects.visibility.edit', { type: 'project', id: p.id });
    if (change.name !== undefined || change.owner !== undefined) teamAdminOf(req, res, p.team_id);
    const after = await command(deps, res, (tx, o) => updateProject(tx, o.id, p.id, change));
    res.json(view(after, await listProjectRoles(deps.db, [p.id])));
  });

  r.delete(
    '/projects/:project',
    doc({
      summary: 'Delete a project',
      description:
        "Whoever the decision API lets `projects.delete` it: admins of the project's team, the project's admins when it is restricted (a project role acts as that team role there), organization admins and the platform's credential. Its project roles go with it.",
      tag: 'Projects',
      platform: true,
      responses: { 204: { description: 'Deleted.' } },
    }),
    async (req, res) => {
    const p = await getProject(deps.db, orgScopeOf(res).org.id, projectId(req));
    // The catalog's "Delete projects", answered by the engine the decision API uses.
    await assertResourceAllows(deps, res, 'projects.delete', { type: 'project', id: p.id });
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
  r.put(
    '/projects/:project/roles/:member',
    doc({
      summary: 'Give a member a project role',
      description:
        "The project's owner, admins of its team, organization admins and the platform's credential (`projects.visibility.edit`). The member must be in the project's team (422 otherwise); a role they already hold is replaced. Project roles decide while the project is restricted.",
      tag: 'Projects',
      platform: true,
      responses: { 200: { description: 'The project with its roles.', body: s.projectSchema } },
    }),
    validate(s.projectRole), (req, res) => roleRoute(req, res, input(res, s.projectRole).role));
  r.delete(
    '/projects/:project/roles/:member',
    doc({
      summary: "Take away a member's project role",
      description: "The project's owner, admins of its team, organization admins and the platform's credential (`projects.visibility.edit`). 404 when the member holds no role in the project.",
      tag: 'Projects',
      platform: true,
      responses: { 200: { description: 'The project with its roles.', body: s.projectSchema } },
    }),
    (req, res) => roleRoute(req, res, null));

  return r;
}
