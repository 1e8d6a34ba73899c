import { runInTransaction } from '../../../domain/context.ts';
import { addMember, removeMember } from '../../../domain/memberships.ts';
import type { OrgRole, Seat } from '../../../domain/types.ts';
import { URN } from '../../constants.ts';
import { limitsForPatch, type ScimContext, type ScimRequest, type ScimResponse } from '../../core.ts';
import { checkIfMatch, matchesIfNoneMatch } from '../../etag.ts';
import { notFound } from '../../errors.ts';
import { applyPatch } from '../../patch/apply.ts';
import { normalisePatchRequest } from '../../patch/normalise.ts';
import { COMMON_ATTRIBUTES, USER } from '../../schemas/index.ts';
import { canonResource } from '../../values.ts';
import { project, wants, type Projection } from '../../projection.ts';
import { listResources, type ListSource } from '../list.ts';
import { projectionOf, requireSchema } from '../request.ts';
import { USER_COLUMNS } from './columns.ts';
import { applyRegistryRoles, applyTeamRoles, persistUserChanges } from './persist.ts';
import { loadScimUser, recordFromRows, renderUsers, toScimUser, userSelect, type UserRecord } from './read.ts';
import { userStateOf } from './state.ts';

const FROM = 'memberships m join users u on u.id = m.user_id';

function ok(status: number, resource: Record<string, unknown>, p: Projection, extra: Record<string, string> = {}): ScimResponse {
  const meta = resource.meta as { version: string; location: string };
  return { status, headers: { ETag: meta.version, ...extra }, body: project(USER, resource, p, COMMON_ATTRIBUTES) };
}

/** Every membership of the organization (any status): the unfiltered /Users total. bench/floor.ts replays it. */
export const MEMBERSHIP_COUNT = 'select coalesce(sum(n), 0)::int as n from org_membership_counts where org_id = ?';

export async function listUsers(ctx: ScimContext, query: Record<string, unknown>, source?: ListSource): Promise<ScimResponse> {
  return listResources(ctx, query, {
    rt: USER,
    columns: USER_COLUMNS,
    from: FROM,
    scope: 'm.org_id = ?',
    // Kept by triggers (migrations/…_004_membership_counts.ts): no count(*) over the organization.
    countWithoutFilter: MEMBERSHIP_COUNT,
    select: (p) => userSelect(wants(USER, p, null, 'groups') || wants(USER, p, URN.orgbridgeUser, 'teamRoles'), wants(USER, p, URN.orgbridgeUser, 'registryRoles')),
    defaultOrder: 'm.created_at, m.id',
    pageByIndex: 'm.id in (select id from memberships where org_id = ? order by created_at, id limit ? offset ?)',
    render: (rows) => renderUsers(rows as UserRecord[], ctx.baseUrl),
  }, source);
}

export async function getUser(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const found = await loadScimUser(ctx.db, ctx.orgId, id, ctx.baseUrl);
  if (!found) throw notFound(`User ${id} not found`);
  const version = (found.resource.meta as { version: string }).version;
  if (matchesIfNoneMatch(version, req.ifNoneMatch)) return { status: 304, headers: { ETag: version } };
  return ok(200, found.resource, projectionOf(req, USER));
}

export async function createUser(ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  const body = requireSchema(req.body, URN.user);
  // password is accepted and dropped: people sign in through SSO only.
  const res = canonResource(USER, body, { readOnly: 'ignore', context: 'User' });
  const state = userStateOf(res);
  const owned = Object.keys(res).filter((k) => k !== 'password');
  const resource = await runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const { user, membership } = await addMember(tx, {
      orgId: ctx.orgId,
      person: state.person,
      ...(state.orgRole !== undefined ? { orgRole: state.orgRole as OrgRole } : {}),
      ...(state.modelsSeat !== undefined ? { modelsSeat: state.modelsSeat as Seat } : {}),
      ...(state.weaveAccess !== undefined ? { weaveAccess: state.weaveAccess as Seat } : {}),
      status: state.active ? 'active' : 'deactivated',
      externalId: state.externalId,
      idpOwned: owned,
    });
    if (state.teamRoles?.length) await applyTeamRoles(tx, ctx.orgId, user.id, [], state.teamRoles);
    if (state.registryRoles?.length) await applyRegistryRoles(tx, ctx.orgId, user.id, state.registryRoles);
    if (state.teamRoles?.length || state.registryRoles?.length) return (await loadScimUser(tx.trx, ctx.orgId, user.id, ctx.baseUrl))!.resource;
    // A new record with no team or registry roles: the response is what was just written, without
    // reading it back (one create = the domain's statements and nothing more).
    const record = recordFromRows(user, membership, state.person.emails ?? []);
    return toScimUser(record, ctx.baseUrl);
  });
  return ok(201, resource, projectionOf(req, USER), { Location: (resource.meta as { location: string }).location });
}

type Obj = Record<string, unknown>;

async function update(ctx: ScimContext, req: ScimRequest, id: string, next: (current: Obj) => Obj): Promise<Obj> {
  return runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const cur = await loadScimUser(tx.trx, ctx.orgId, id, ctx.baseUrl, req.ifMatch !== undefined);
    if (!cur) throw notFound(`User ${id} not found`);
    checkIfMatch((cur.resource.meta as { version: string }).version, req.ifMatch);
    const after = next(cur.resource);
    const base = cur.record.profile ?? {};
    await persistUserChanges(tx, ctx.orgId, id, userStateOf(cur.resource, base), userStateOf(after, base));
    return (await loadScimUser(tx.trx, ctx.orgId, id, ctx.baseUrl))!.resource;
  });
}

export async function replaceUser(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const body = requireSchema(req.body, URN.user);
  const res = canonResource(USER, body, { readOnly: 'ignore', context: 'User' });
  const resource = await update(ctx, req, id, (current) => {
    const next = { ...res };
    // PUT replaces the profile; what IdPs do not know (the orgbridge extension) and an
    // absent "active" keep their current values instead of being reset.
    if (next[URN.orgbridgeUser] === undefined) next[URN.orgbridgeUser] = current[URN.orgbridgeUser];
    if (next.active === undefined) next.active = current.active;
    return next;
  });
  return ok(200, resource, projectionOf(req, USER));
}

export async function patchUser(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const ops = normalisePatchRequest(req.body, USER, id, limitsForPatch(ctx.limits));
  const resource = await update(ctx, req, id, (current) => applyPatch(USER, current, ops));
  return ok(200, resource, projectionOf(req, USER));
}

export async function deleteUser(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  await runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const cur = await loadScimUser(tx.trx, ctx.orgId, id, ctx.baseUrl);
    if (!cur) throw notFound(`User ${id} not found`);
    checkIfMatch((cur.resource.meta as { version: string }).version, req.ifMatch);
    await removeMember(tx, ctx.orgId, id);
  });
  return { status: 204 };
}
