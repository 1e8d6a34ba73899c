import { Router, type Request, type Response } from 'express';
import { identityKey } from '../../domain/people.ts';
import { addTeamMember, createTeam, deleteTeam, getTeam, removeTeamMembers, renameTeam, setTeamRole, updateTeamSettings } from '../../domain/teams.ts';
import type { TeamRow } from '../../domain/types.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command, idParams } from '../command.ts';
import { UUID } from '../ids.ts';
import { forbidden, notFound } from '../errors.ts';
import { assertCan, authorize, decide, orgScopeOf, teamScope } from '../scope.ts';
import { doc, LOCATION } from '../openapi/doc.ts';
import { input, validate } from '../validate.ts';
import { list, teamSchema } from '../views.schema.ts';
import { iso, teamView } from '../views.ts';
import * as s from './teams.schema.ts';

/** What the caller may do to this team: the dashboard offers exactly these. */
function teamCapabilities(req: Request, res: Response) {
  const sc = orgScopeOf(res);
  const scope = teamScope(req, sc);
  const may = (...p: Parameters<typeof decide>[1]) => decide(sc.principal, p, scope).allowed;
  return {
    addMembers: may('team.members.add'),
    removeMembers: may('team.members.remove'),
    assignRoles: may('team.roles.assign'),
    manageSettings: may('team.settings.manage'),
    delete: may('org.teams.delete', 'system.teams.manage'),
  };
}

/** Team pages are for the team's members, organization admins and system admins. */
function mayViewTeam(res: Response, teamId: string): boolean {
  const { principal, org } = orgScopeOf(res);
  return principal.teams.has(teamId) || principal.systemAdmin || decide(principal, ['org.users.view'], { orgId: org.id }).allowed;
}

async function resolveMember(deps: AppDeps, orgId: string, ref: string): Promise<string> {
  const key = identityKey(ref);
  const row = await deps.db('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where('m.org_id', orgId)
    .where((w) => {
      w.where('u.user_name_key', key).orWhere('u.email_key', key);
      if (UUID.test(ref)) w.orWhere('u.id', ref);
    })
    .first<{ id: string } | undefined>('u.id');
  if (!row) throw notFound('member', ref);
  return row.id;
}

async function teamDetail(deps: AppDeps, t: TeamRow) {
  const members = await deps.db('team_members as tm')
    .join('users as u', 'u.id', 'tm.user_id')
    .leftJoin('custom_roles as cr', 'cr.id', 'tm.custom_role_id')
    .leftJoin('memberships as m', function () {
      this.on('m.user_id', 'tm.user_id').andOn('m.org_id', deps.db.raw('?', [t.org_id]));
    })
    .where('tm.team_id', t.id)
    .orderBy('u.user_name_key')
    .select('u.id', 'u.user_name', 'u.email', 'u.display_name', 'tm.role', 'tm.custom_role_id', 'cr.name as custom_role_name', 'm.status', 'tm.created_at');
  return {
    ...teamView(t),
    members: members.map((m: Record<string, unknown>) => ({
      userId: m.id,
      userName: m.user_name,
      name: (m.display_name as string | null) || (m.user_name as string),
      email: m.email,
      role: m.role,
      customRole: m.custom_role_id ? { id: m.custom_role_id, name: m.custom_role_name } : null,
      status: m.status ?? null,
      addedAt: iso(m.created_at as Date),
    })),
  };
}

export function teamRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });

  r.get(
    '/teams',
    doc({
      summary: 'List teams',
      description: "Organization admins and system admins see every team; anyone else sees the teams they are in. Each with its member count and the caller's role in it.",
      tag: 'Teams',
      responses: { 200: { description: 'The teams, by name.', body: list(s.teamListed) } },
    }),
    async (_req, res) => {
    const { org, principal } = orgScopeOf(res);
    const all = principal.systemAdmin || decide(principal, ['org.users.view'], { orgId: org.id }).allowed;
    const rows = (await deps.db('teams as t')
      .where('t.org_id', org.id)
      .modify((q) => {
        if (!all) q.whereIn('t.id', [...principal.teams.keys()]);
      })
      .select('t.*', deps.db.raw('(select count(*)::int from team_members tm where tm.team_id = t.id) as member_count'))
      .orderBy('t.name_key')) as (TeamRow & { member_count: number })[];
    res.json({ items: rows.map((t) => ({ ...teamView(t), memberCount: t.member_count, myRole: principal.teams.get(t.id)?.role ?? null })) });
  });

  r.post(
    '/teams',
    doc({
      summary: 'Create a team',
      description: 'Organization admins (and system admins). The name is unique in the organization, compared case-insensitively.',
      tag: 'Teams',
      responses: { 201: { description: 'The team (Location names it).', body: teamSchema, headers: LOCATION } },
    }),
    authorize(['org.teams.create', 'system.teams.manage']), validate(s.createTeam, 'body', s.labels), async (req, res) => {
    const body = input(res, s.createTeam);
    const team = await command(deps, res, (tx, o) => createTeam(tx, o.id, body));
    res.status(201).location(`${req.baseUrl}/teams/${team.id}`).json(teamView(team));
  });

  r.get(
    '/teams/:team',
    doc({
      summary: 'Read a team',
      description: "The team with its members and what the caller may do to it. For the team's members, organization admins and system admins.",
      tag: 'Teams',
      responses: { 200: { description: 'The team.', body: s.teamWithCapabilities } },
    }),
    idParams('team'), async (req, res) => {
    const { org } = orgScopeOf(res);
    const teamId = String(req.params.team);
    if (!mayViewTeam(res, teamId)) throw forbidden('Not allowed: only the team\'s members and organization admins see a team.');
    const team = await getTeam(deps.db, org.id, teamId);
    res.json({ ...(await teamDetail(deps, team)), can: teamCapabilities(req, res) });
  });

  r.patch(
    '/teams/:team',
    doc({
      summary: 'Rename a team or change its settings',
      description: 'Team admins and organization admins: name, privacy, "members may invite" and domain matching. Give at least one.',
      tag: 'Teams',
      responses: { 200: { description: 'The team as it is now.', body: teamSchema } },
    }),
    idParams('team'), authorize('team.settings.manage', teamScope), validate(s.updateTeam, 'body', s.labels), async (req, res) => {
    const { name, ...settings } = input(res, s.updateTeam);
    const teamId = String(req.params.team);
    const team = await command(deps, res, async (tx, o) => {
      if (name !== undefined) await renameTeam(tx, o.id, teamId, name);
      return updateTeamSettings(tx, o.id, teamId, settings);
    });
    res.json(teamView(team));
  });

  r.delete(
    '/teams/:team',
    doc({
      summary: 'Delete a team',
      description: 'Organization admins. Refused (409, naming them) while the team owns service accounts. Its role groups are removed with it.',
      tag: 'Teams',
      responses: { 204: { description: 'Deleted.' } },
    }),
    idParams('team'), authorize(['org.teams.delete', 'system.teams.manage']), async (req, res) => {
    await command(deps, res, (tx, o) => deleteTeam(tx, o.id, String(req.params.team)));
    res.status(204).end();
  });

  r.post(
    '/teams/:team/members',
    doc({
      summary: 'Add a member to a team',
      description:
        'Team admins and organization admins; members too when the team lets members invite, as `member` only (another role or a custom role needs the right to assign roles). `user` is a member of the organization by id, userName or email.',
      tag: 'Teams',
      responses: { 201: { description: 'The team with its members.', body: s.teamDetail } },
    }),
    idParams('team'), authorize('team.members.add', teamScope), validate(s.addMember), async (req, res) => {
    const { user, role, customRoleId } = input(res, s.addMember);
    // "Members may invite" lets members add people, as members (SPEC §1 team settings).
    // Adding with any other role, or with a custom role, is assigning it: team.roles.assign.
    if (role !== 'member' || customRoleId !== undefined) assertCan(req, res, 'team.roles.assign', teamScope);
    const { org } = orgScopeOf(res);
    const teamId = String(req.params.team);
    await getTeam(deps.db, org.id, teamId);
    const userId = await resolveMember(deps, org.id, user);
    // One transaction: added with the custom role, or not added at all.
    await command(deps, res, async (tx, o) => {
      await addTeamMember(tx, o.id, teamId, userId, role);
      if (customRoleId !== undefined) await setTeamRole(tx, o.id, teamId, userId, { customRoleId });
    });
    res.status(201).json(await teamDetail(deps, await getTeam(deps.db, org.id, teamId)));
  });

  r.patch(
    '/teams/:team/members/:user',
    doc({
      summary: "Change a member's team role",
      description: 'Team admins and organization admins: a built-in role or a custom role. The last-admin rule applies.',
      tag: 'Teams',
      responses: { 200: { description: 'The team with its members.', body: s.teamDetail } },
    }),
    idParams('team', 'user'), authorize('team.roles.assign', teamScope), validate(s.setRole), async (req, res) => {
    const body = input(res, s.setRole);
    const teamId = String(req.params.team);
    await command(deps, res, (tx, o) => setTeamRole(tx, o.id, teamId, String(req.params.user), 'role' in body ? body.role : { customRoleId: body.customRoleId }));
    res.json(await teamDetail(deps, await getTeam(deps.db, orgScopeOf(res).org.id, teamId)));
  });

  r.delete(
    '/teams/:team/members/:user',
    doc({
      summary: 'Remove a member from a team',
      description: 'Team admins and organization admins. The last-admin rule applies.',
      tag: 'Teams',
      responses: { 204: { description: 'Removed.' } },
    }),
    idParams('team', 'user'), authorize('team.members.remove', teamScope), async (req, res) => {
    const teamId = String(req.params.team);
    const n = await command(deps, res, (tx, o) => removeTeamMembers(tx, o.id, teamId, [String(req.params.user)]));
    if (n === 0) throw notFound('team member');
    res.status(204).end();
  });

  return r;
}
