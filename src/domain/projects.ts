import type { Conn } from '../db/connect.ts';
import { newId } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { invalid, isUniqueViolation, notFound, uniqueness } from './errors.ts';

// Projects the platform registers (it owns their content; orgbridge owns who may touch
// them). Visibility scopes as the seed product's "Project visibility" page defines them:
//   team        only members of the project's team (the default)
//   restricted  only the team members invited to it, each with a project role
//   open        anyone in the organization may view, log runs and create reports
//   public      anyone in the organization may view; only the team may edit
// "Anyone" stops at the organization: a shared deployment never lets one organization's
// people reach another's project. seeds/004: "An organization admin, team admin, or the
// owner of a project can both set and edit a project's visibility" (projects.visibility.edit).

export const PROJECT_VISIBILITIES = ['open', 'public', 'team', 'restricted'] as const;
export type ProjectVisibility = (typeof PROJECT_VISIBILITIES)[number];
export const PROJECT_ROLES = ['admin', 'member', 'view-only'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export interface ProjectRow {
  id: string;
  org_id: string;
  team_id: string;
  name: string;
  owner_account_id: string | null;
  visibility: ProjectVisibility;
  created_at: Date;
  updated_at: Date;
}

export interface ProjectRoleRow {
  project_id: string;
  user_id: string;
  role: ProjectRole;
}

async function teamOf(tx: Tx, orgId: string, teamId: string): Promise<{ id: string; privacy: string }> {
  const t = await tx.trx('teams').where({ id: teamId, org_id: orgId }).first<{ id: string; privacy: string } | undefined>('id', 'privacy');
  if (!t) throw notFound('team', teamId);
  return t;
}

/** An owner is a person of this organization: their member record here must be linked to their account. */
async function ownerAccount(conn: Conn, orgId: string, owner: { accountId?: string; memberId?: string } | undefined): Promise<string | null> {
  if (!owner || (!owner.accountId && !owner.memberId)) return null;
  const q = conn('users').where({ org_id: orgId }).whereNotNull('account_id');
  const row = await (owner.memberId ? q.where({ id: owner.memberId }) : q.where({ account_id: owner.accountId })).first<{ account_id: string } | undefined>('account_id');
  if (!row) throw invalid('the owner must be a person of this organization who has signed in (a linked member record)', { owner });
  return row.account_id;
}

export async function getProject(conn: Conn, orgId: string, id: string): Promise<ProjectRow> {
  const row = await conn('projects').where({ id, org_id: orgId }).first<ProjectRow | undefined>();
  if (!row) throw notFound('project', id);
  return row;
}

export async function listProjects(conn: Conn, orgId: string, teamId?: string): Promise<ProjectRow[]> {
  return conn('projects').where({ org_id: orgId }).modify((q) => { if (teamId) q.where({ team_id: teamId }); }).orderBy(['team_id', 'name_key']);
}

export async function listProjectRoles(conn: Conn, projectIds: string[]): Promise<ProjectRoleRow[]> {
  if (!projectIds.length) return [];
  return conn('project_roles').whereIn('project_id', projectIds).orderBy(['project_id', 'user_id']);
}

export interface ProjectInput {
  name: string;
  teamId: string;
  visibility?: ProjectVisibility;
  owner?: { accountId?: string; memberId?: string };
}

export async function createProject(tx: Tx, orgId: string, input: ProjectInput): Promise<ProjectRow> {
  const name = input.name.trim();
  if (!name) throw invalid('project name is required');
  const team = await teamOf(tx, orgId, input.teamId);
  // A team's "default project privacy" (SPEC §1) decides when the platform names none.
  const visibility = input.visibility ?? (team.privacy === 'public' ? 'public' : 'team');
  const owner = await ownerAccount(tx.trx, orgId, input.owner);
  try {
    const [row] = await tx.trx('projects').insert({ id: newId(), org_id: orgId, team_id: team.id, name, owner_account_id: owner, visibility }).returning('*');
    await audit(tx, { orgId, action: 'project.create', targetType: 'project', targetId: row.id, after: { name, teamId: team.id, visibility, ownerAccountId: owner } });
    return row as ProjectRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err, 'projects_name')) throw uniqueness(`team already has a project named "${name}"`);
    throw err;
  }
}

export interface ProjectChange {
  name?: string;
  visibility?: ProjectVisibility;
  owner?: { accountId?: string; memberId?: string };
}

export async function updateProject(tx: Tx, orgId: string, id: string, change: ProjectChange): Promise<ProjectRow> {
  const before = await tx.trx('projects').where({ id, org_id: orgId }).forUpdate().first<ProjectRow | undefined>();
  if (!before) throw notFound('project', id);
  const patch: Record<string, unknown> = {};
  if (change.name !== undefined) {
    if (!change.name.trim()) throw invalid('project name is required');
    patch.name = change.name.trim();
  }
  if (change.visibility !== undefined) patch.visibility = change.visibility;
  if (change.owner !== undefined) patch.owner_account_id = await ownerAccount(tx.trx, orgId, change.owner);
  if (!Object.keys(patch).length) return before;
  try {
    const [row] = await tx.trx('projects').where({ id }).update({ ...patch, updated_at: tx.trx.fn.now() }).returning('*');
    await audit(tx, {
      orgId,
      action: change.visibility !== undefined && change.visibility !== before.visibility ? 'project.visibility' : 'project.update',
      targetType: 'project',
      targetId: id,
      before: { name: before.name, visibility: before.visibility, ownerAccountId: before.owner_account_id },
      after: { name: row.name, visibility: row.visibility, ownerAccountId: row.owner_account_id },
    });
    return row as ProjectRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err, 'projects_name')) throw uniqueness(`team already has a project named "${String(patch.name)}"`);
    throw err;
  }
}

export async function deleteProject(tx: Tx, orgId: string, id: string): Promise<void> {
  const n = await tx.trx('projects').where({ id, org_id: orgId }).delete();
  if (!n) throw notFound('project', id);
  await audit(tx, { orgId, action: 'project.delete', targetType: 'project', targetId: id });
}

/**
 * Gives a named person a role in the project (null: takes it away). Project roles are for
 * the team's own people (the seed: "only invited members from the parent team"); they
 * decide only while the project is restricted, and only while the person stays in the team.
 */
export async function setProjectRole(tx: Tx, orgId: string, projectId: string, recordId: string, role: ProjectRole | null): Promise<void> {
  const project = await getProject(tx.trx, orgId, projectId);
  const inTeam = await tx.trx('team_members as tm').join('users as u', 'u.id', 'tm.user_id').where({ 'tm.team_id': project.team_id, 'tm.user_id': recordId, 'u.org_id': orgId }).first('tm.user_id');
  const before = await tx.trx('project_roles').where({ project_id: projectId, user_id: recordId }).first<ProjectRoleRow | undefined>();
  if (role === null) {
    if (!before) throw notFound('project role of member', recordId);
    await tx.trx('project_roles').where({ project_id: projectId, user_id: recordId }).delete();
  } else {
    if (!inTeam) throw invalid("a project role is for a member of the project's team", { member: recordId, team: project.team_id });
    await tx.trx('project_roles').insert({ project_id: projectId, user_id: recordId, role }).onConflict(['project_id', 'user_id']).merge();
  }
  await audit(tx, { orgId, action: 'project.role', targetType: 'project', targetId: projectId, before: before ? { member: recordId, role: before.role } : undefined, after: role ? { member: recordId, role } : undefined });
}
