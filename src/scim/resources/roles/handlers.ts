import type { Conn } from '../../../db/connect.ts';
import { runInTransaction } from '../../../domain/context.ts';
import { createCustomRole, deleteCustomRole, updateCustomRole } from '../../../domain/custom-roles.ts';
import { CUSTOMIZABLE_PERMISSIONS, type PermissionId } from '../../../domain/permissions/index.ts';
import type { CustomRoleRow } from '../../../domain/types.ts';
import { URN } from '../../constants.ts';
import { limitsForPatch, type ScimContext, type ScimRequest, type ScimResponse } from '../../core.ts';
import { checkIfMatch, matchesIfNoneMatch, weakEtag } from '../../etag.ts';
import { invalidValue, notFound } from '../../errors.ts';
import type { ColumnMap } from '../../filter/sql.ts';
import { applyPatch } from '../../patch/apply.ts';
import { normalisePatchRequest } from '../../patch/normalise.ts';
import { project } from '../../projection.ts';
import { COMMON_ATTRIBUTES, ROLE } from '../../schemas/index.ts';
import { canonResource } from '../../values.ts';
import { listResources, type ListSource } from '../list.ts';
import { projectionOf, requireSchema } from '../request.ts';
import { canonPermissionList, permissionIdOf, rolePermissions } from './permissions.ts';

// /Roles: the organization's custom roles, as the seed product's SCIM API exposes them.

type Obj = Record<string, unknown>;
type RoleRecord = CustomRoleRow & { updated_us: string | number };

const SELECT = 'cr.*, (extract(epoch from cr.updated_at) * 1000000)::bigint as updated_us';
const COLUMNS: ColumnMap = {
  id: { kind: 'scalar', expr: 'cr.id', type: 'uuid' },
  externalId: { kind: 'scalar', expr: 'cr.external_id', type: 'text', caseExact: true },
  name: { kind: 'scalar', expr: 'cr.name', type: 'text' },
  description: { kind: 'scalar', expr: 'cr.description', type: 'text' },
  inheritedFrom: { kind: 'scalar', expr: 'cr.base', type: 'text' },
  'meta.created': { kind: 'scalar', expr: 'cr.created_at', type: 'timestamp' },
  'meta.lastModified': { kind: 'scalar', expr: 'cr.updated_at', type: 'timestamp' },
};

const isCustomizable = (id: string) => CUSTOMIZABLE_PERMISSIONS.has(id as PermissionId);
const etagOf = (r: RoleRecord) => weakEtag(Number(r.updated_us).toString(36));

function toScimRole(r: RoleRecord, baseUrl: string): Obj {
  return {
    schemas: [URN.role],
    id: r.id,
    ...(r.external_id !== null ? { externalId: r.external_id } : {}),
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
    inheritedFrom: r.base,
    permissions: rolePermissions(r.base, r.permissions ?? []),
    meta: {
      resourceType: 'Role',
      created: new Date(r.created_at).toISOString(),
      lastModified: new Date(r.updated_at).toISOString(),
      location: `${baseUrl}/Roles/${r.id}`,
      version: etagOf(r),
    },
  };
}

async function find(conn: Conn, orgId: string, id: string): Promise<RoleRecord | undefined> {
  const res = await conn.raw(`select ${SELECT} from custom_roles cr where cr.org_id = ? and cr.id = ?`, [orgId, id]);
  return (res.rows as RoleRecord[])[0];
}

function ok(req: ScimRequest, r: RoleRecord, baseUrl: string, status: number, extra: Record<string, string> = {}): ScimResponse {
  return { status, headers: { ETag: etagOf(r), ...extra }, body: project(ROLE, toScimRole(r, baseUrl), projectionOf(req, ROLE), COMMON_ATTRIBUTES) };
}

function inputOf(res: Obj): { name: string; description: string; base: 'member' | 'viewer'; permissions: string[]; externalId: string | null } {
  if (typeof res.name !== 'string' || !res.name.trim()) throw invalidValue('name is required');
  const base = typeof res.inheritedFrom === 'string' ? res.inheritedFrom.toLowerCase() : '';
  if (base !== 'member' && base !== 'viewer') throw invalidValue('inheritedFrom must be member or viewer');
  // What the role adds: elements marked isInherited (a GET echoed back, or the current
  // state under a PATCH) are the base role's, not additions.
  const permissions = Array.isArray(res.permissions)
    ? (res.permissions as Obj[]).filter((p) => p?.isInherited !== true).map((p) => permissionIdOf(p?.name))
    : [];
  const externalId = typeof res.externalId === 'string' ? res.externalId : null;
  return { name: res.name, description: typeof res.description === 'string' ? res.description : '', base, permissions, externalId };
}

/** A POST/PUT body without the elements a client echoed back as inherited (readOnly isInherited is dropped by canonResource). */
function withoutInherited(body: Obj): Obj {
  if (!Array.isArray(body.permissions)) return body;
  return { ...body, permissions: (body.permissions as unknown[]).filter((p) => !(typeof p === 'object' && p !== null && (p as Obj).isInherited === true)) };
}

export async function listRoles(ctx: ScimContext, query: Obj, source?: ListSource): Promise<ScimResponse> {
  return listResources(ctx, query, {
    rt: ROLE,
    columns: COLUMNS,
    from: 'custom_roles cr',
    scope: 'cr.org_id = ?',
    select: SELECT,
    defaultOrder: 'cr.created_at, cr.id',
    render: async (rows) => (rows as RoleRecord[]).map((r) => toScimRole(r, ctx.baseUrl)),
  }, source);
}

export async function getRole(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const r = await find(ctx.db, ctx.orgId, id);
  if (!r) throw notFound(`Role ${id} not found`);
  if (matchesIfNoneMatch(etagOf(r), req.ifNoneMatch)) return { status: 304, headers: { ETag: etagOf(r) } };
  return ok(req, r, ctx.baseUrl, 200);
}

export async function createRole(ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  const res = canonResource(ROLE, withoutInherited(requireSchema(req.body, URN.role)), { readOnly: 'ignore', context: 'Role' });
  const input = inputOf(res);
  const r = await runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const row = await createCustomRole(tx, ctx.orgId, input, isCustomizable);
    return (await find(tx.trx, ctx.orgId, row.id))!;
  });
  return ok(req, r, ctx.baseUrl, 201, { Location: `${ctx.baseUrl}/Roles/${r.id}` });
}

async function update(ctx: ScimContext, req: ScimRequest, id: string, next: (cur: Obj) => Obj): Promise<RoleRecord> {
  return runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const cur = await find(tx.trx, ctx.orgId, id);
    if (!cur) throw notFound(`Role ${id} not found`);
    checkIfMatch(etagOf(cur), req.ifMatch);
    await updateCustomRole(tx, ctx.orgId, id, inputOf(next(toScimRole(cur, ctx.baseUrl))), isCustomizable);
    return (await find(tx.trx, ctx.orgId, id))!;
  });
}

export async function replaceRole(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const res = canonResource(ROLE, withoutInherited(requireSchema(req.body, URN.role)), { readOnly: 'ignore', context: 'Role' });
  return ok(req, await update(ctx, req, id, () => res), ctx.baseUrl, 200);
}

export async function patchRole(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  // Permission names are compared as GET shows them, so `remove` of "projects.visibility.edit"
  // finds the element answered as "project:update" (and an unknown name is a 400 up front).
  const ops = normalisePatchRequest(req.body, ROLE, id, limitsForPatch(ctx.limits)).map((o) => {
    if (o.value === undefined) return o;
    if (o.path?.attr?.name === 'permissions' && !o.path.sub) {
      return { ...o, value: o.path.filter ? (canonPermissionList([o.value]) as unknown[])[0] : canonPermissionList(o.value) };
    }
    if (!o.path && typeof o.value === 'object' && o.value !== null && 'permissions' in o.value) {
      return { ...o, value: { ...(o.value as Obj), permissions: canonPermissionList((o.value as Obj).permissions) } };
    }
    return o;
  });
  return ok(req, await update(ctx, req, id, (cur) => applyPatch(ROLE, cur, ops)), ctx.baseUrl, 200);
}

export async function deleteRole(ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  await runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const cur = await find(tx.trx, ctx.orgId, id);
    if (!cur) throw notFound(`Role ${id} not found`);
    checkIfMatch(etagOf(cur), req.ifMatch);
    await deleteCustomRole(tx, ctx.orgId, id);
  });
  return { status: 204 };
}
