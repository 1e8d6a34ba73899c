import type { Tx } from '../../../domain/context.ts';
import { runInTransaction } from '../../../domain/context.ts';
import { setTeamExternalId } from '../../../domain/external-ids.ts';
import { createTeam, deleteTeam, renameTeam } from '../../../domain/teams.ts';
import { URN } from '../../constants.ts';
import { limitsForPatch, type ScimContext, type ScimRequest, type ScimResponse } from '../../core.ts';
import { checkIfMatch, matchesIfNoneMatch } from '../../etag.ts';
import { invalidValue, notFound, tooMany } from '../../errors.ts';
import { applyPatch } from '../../patch/apply.ts';
import { normalisePatchRequest } from '../../patch/normalise.ts';
import { project, wants } from '../../projection.ts';
import { COMMON_ATTRIBUTES, GROUP } from '../../schemas/index.ts';
import { canonResource } from '../../values.ts';
import { listResources, type ListSource } from '../list.ts';
import { projectionOf, requireSchema } from '../request.ts';
import { GROUP_COLUMNS } from './columns.ts';
import { applyMemberDelta, applyRoleGroups, foldMemberOps, memberIds, splitMemberOps, type MemberDelta } from './members.ts';
import { findTeamRecord, GROUP_SELECT, groupEtag, membersOf, renderGroups, toScimGroup, type TeamRecord } from './read.ts';

type Obj = Record<string, unknown>;

async function render(ctx: ScimContext, req: ScimRequest, t: TeamRecord, status: number, extra: Record<string, string> = {}): Promise<ScimResponse> {
  const p = projectionOf(req, GROUP);
  const [g] = await renderGroups(ctx.db, [t], ctx.baseUrl, wants(GROUP, p, null, 'members'));
  return { status, headers: { ETag: (g!.meta as { version: string }).version, ...extra }, body: project(GROUP, g!, p, COMMON_ATTRIBUTES) };
}

export async function listGroups(ctx: ScimContext, query: Record<string, unknown>, source?: ListSource): Promise<ScimResponse> {
  return listResources(ctx, query, {
    rt: GROUP,
    columns: GROUP_COLUMNS,
    from: 'teams t',
    scope: 't.org_id = ?',
    select: GROUP_SELECT,
    defaultOrder: 't.created_at, t.id',
    pageByIndex: 't.id in (select id from teams where org_id = ? order by created_at, id limit ? offset ?)',
    render: async (rows, p) => {
      const teams = rows as TeamRecord[];
      const withMembers = wants(GROUP, p, null, 'members');
      if (withMembers) await refuseHugeMemberLists(ctx, teams);
      return renderGroups(ctx.db, teams, ctx.baseUrl, withMembers);
    },
  }, source);
}

/**
 * A page of groups with their members is refused (400 tooMany) beyond this many members in
 * total: the client should ask with excludedAttributes=members (as Entra and Okta do) or
 * a smaller count. A single group (GET /Groups/{id}) is always returned whole.
 */
export const MAX_MEMBERS_PER_LIST = 50_000;

async function refuseHugeMemberLists(ctx: ScimContext, teams: TeamRecord[]): Promise<void> {
  const row = (await ctx.db.raw('select count(*)::int as n from team_members where team_id = any(?::uuid[])', [teams.map((t) => t.id)])).rows[0] as { n: number };
  if (row.n > MAX_MEMBERS_PER_LIST) {
    throw tooMany(`these ${teams.length} groups have ${row.n} members in total (more than ${MAX_MEMBERS_PER_LIST}); ask with excludedAttributes=members or a smaller count`);
  }
}

export async function getGroup(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const t = await findTeamRecord(ctx.db, ctx.orgId, id);
  if (!t) throw notFound(`Group ${id} not found`);
  if (matchesIfNoneMatch(groupEtag(t), req.ifNoneMatch)) return { status: 304, headers: { ETag: groupEtag(t) } };
  return render(ctx, req, t, 200);
}

function displayNameOf(res: Obj): string {
  if (typeof res.displayName !== 'string' || !res.displayName.trim()) throw invalidValue('displayName is required');
  return res.displayName;
}

async function applyMembers(ctx: ScimContext, tx: Tx, team: { id: string; name: string }, d: MemberDelta): Promise<void> {
  const { added, removed } = await applyMemberDelta(tx, ctx.orgId, team.id, d);
  if (ctx.limits.roleGroupsEnabled) await applyRoleGroups(tx, ctx.orgId, team.name, added, removed);
}

export async function createGroup(ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  const body = requireSchema(req.body, URN.group);
  const res = canonResource(GROUP, body, { readOnly: 'ignore', context: 'Group' });
  const name = displayNameOf(res);
  const ids = memberIds(res.members);
  const team = await runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const t = await createTeam(tx, ctx.orgId, { name, externalId: typeof res.externalId === 'string' ? res.externalId : null });
    if (ids.length) await applyMembers(ctx, tx, t, { add: new Set(ids), remove: new Set() });
    return (await findTeamRecord(tx.trx, ctx.orgId, t.id))!;
  });
  return render(ctx, req, team, 201, { Location: `${ctx.baseUrl}/Groups/${team.id}` });
}

type Change = (tx: Tx, cur: TeamRecord) => Promise<{ next: Obj; members: MemberDelta | undefined }>;

async function update(ctx: ScimContext, req: ScimRequest, id: string, change: Change): Promise<TeamRecord> {
  return runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const cur = await findTeamRecord(tx.trx, ctx.orgId, id, true);
    if (!cur) throw notFound(`Group ${id} not found`);
    checkIfMatch(groupEtag(cur), req.ifMatch);
    const { next, members } = await change(tx, cur);
    let name = cur.name;
    if ('displayName' in next) {
      const wanted = displayNameOf(next);
      if (wanted !== cur.name) name = (await renameTeam(tx, ctx.orgId, id, wanted)).name;
    }
    const ext = typeof next.externalId === 'string' ? next.externalId : null;
    if (ext !== cur.external_id) await setTeamExternalId(tx, ctx.orgId, id, ext);
    if (members) await applyMembers(ctx, tx, { id, name }, members);
    return (await findTeamRecord(tx.trx, ctx.orgId, id))!;
  });
}

export async function replaceGroup(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const body = requireSchema(req.body, URN.group);
  const res = canonResource(GROUP, body, { readOnly: 'ignore', context: 'Group' });
  displayNameOf(res);
  const members: MemberDelta = { replaceAll: new Set(memberIds(res.members)), add: new Set(), remove: new Set() };
  const team = await update(ctx, req, id, async () => ({ next: res, members }));
  return render(ctx, req, team, 200);
}

export async function patchGroup(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const ops = normalisePatchRequest(req.body, GROUP, id, limitsForPatch(ctx.limits));
  const { members, others } = splitMemberOps(ops);
  const team = await update(ctx, req, id, async (tx, cur) => {
    // Attribute operations run on the group without its members (never loaded here).
    const base = toScimGroup(cur, undefined, ctx.baseUrl);
    const next = others.length ? applyPatch(GROUP, base, others) : base;
    const delta = members.length ? await foldMemberOps(members, async () => (await membersOf(tx.trx, [id])).get(id) ?? []) : undefined;
    return { next, members: delta };
  });
  // 204 keeps a 10,000-member group out of the response; the new version is in ETag.
  if (req.query.attributes === undefined && req.query.excludedAttributes === undefined) {
    return { status: 204, headers: { ETag: groupEtag(team) } };
  }
  return render(ctx, req, team, 200);
}

export async function deleteGroup(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  await runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const cur = await findTeamRecord(tx.trx, ctx.orgId, id, true);
    if (!cur) throw notFound(`Group ${id} not found`);
    checkIfMatch(groupEtag(cur), req.ifMatch);
    if (ctx.limits.roleGroupsEnabled) {
      const ids = (await tx.trx('team_members').where({ team_id: id }).pluck('user_id')) as string[];
      await applyRoleGroups(tx, ctx.orgId, cur.name, [], ids);
    }
    await deleteTeam(tx, ctx.orgId, id);
  });
  return { status: 204 };
}
