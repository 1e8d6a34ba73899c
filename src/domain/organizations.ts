import type { Conn } from '../db/connect.ts';
import { sql } from '../db/sql.ts';
import { newId } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { invalid, isUniqueViolation, notFound, uniqueness } from './errors.ts';
import { lockOrganization } from './last-admin-guard.ts';
import { SEATS, type OrganizationRow, type Seat } from './types.ts';
import { UUID } from '../lib/uuid.ts';

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return slug || 'org';
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw invalid('organization name must be 1 to 200 characters');
  return trimmed;
}

export async function createOrganization(tx: Tx, input: { name: string; slug?: string }): Promise<OrganizationRow> {
  const name = checkName(input.name);
  const row = { id: newId(), name, slug: input.slug ?? slugify(name) };
  try {
    const [org] = await tx.trx('organizations').insert(row).returning('*');
    await audit(tx, { orgId: row.id, action: 'org.create', targetType: 'organization', targetId: row.id, after: { name, slug: row.slug } });
    return org as OrganizationRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`an organization named "${name}" already exists`, { name });
    throw err;
  }
}

// Every domain command on an organization starts here: a fixed statement run by db/sql.ts
// (why: BENCHMARKS.md). bench/floor.ts replays it.
export const ORGANIZATION_BY_ID = 'select * from organizations where id = $1 limit 1';

export async function getOrganization(conn: Conn, id: string): Promise<OrganizationRow> {
  const [org] = await sql<OrganizationRow>(conn, ORGANIZATION_BY_ID, [id]);
  if (!org) throw notFound('organization', id);
  return org;
}

/**
 * By id, slug or (case-insensitive) name: what an operator types on the CLI. Each is unique
 * on its own, but an organization's admin may rename it to another one's slug or id: the
 * id wins, then the slug, and a name only when no organization has that id or slug.
 */
export async function findOrganization(conn: Conn, ref: string): Promise<OrganizationRow | undefined> {
  const uuidLike = UUID.test(ref);
  const slug = ref.toLowerCase();
  const q = conn('organizations')
    .where((w) => {
      w.where('slug', slug).orWhereRaw('lower(name) = lower(?)', [ref]);
      if (uuidLike) w.orWhere('id', ref);
    })
    .orderByRaw(`case when ${uuidLike ? 'id = ?' : 'false'} then 0 when slug = ? then 1 else 2 end`, uuidLike ? [ref, slug] : [slug])
    .first<OrganizationRow | undefined>();
  return q;
}

export async function listOrganizations(conn: Conn): Promise<(OrganizationRow & { members: number; domains: string[] })[]> {
  const rows = await conn('organizations as o')
    .select(
      'o.*',
      conn.raw(`(select count(*) from memberships m where m.org_id = o.id and m.status <> 'deactivated')::int as members`),
      // Pending claims capture nobody: the operator sees which ones are.
      conn.raw(
        `coalesce((select array_agg(d.domain || case when d.status = 'pending' then ' (pending)' else '' end order by d.domain) from org_domains d where d.org_id = o.id), '{}') as domains`,
      ),
    )
    .orderBy('o.name');
  return rows as (OrganizationRow & { members: number; domains: string[] })[];
}

export async function renameOrganization(tx: Tx, orgId: string, newName: string): Promise<OrganizationRow> {
  const before = await getOrganization(tx.trx, orgId);
  const name = checkName(newName);
  try {
    const [org] = await tx.trx('organizations').where({ id: orgId }).update({ name, updated_at: tx.trx.fn.now() }).returning('*');
    await audit(tx, { orgId, action: 'org.rename', targetType: 'organization', targetId: orgId, before: { name: before.name }, after: { name } });
    return org as OrganizationRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`an organization named "${name}" already exists`, { name });
    throw err;
  }
}

export interface OrgSettings {
  autoProvisioning?: boolean;
  domainCapture?: boolean;
  teamJoinAtSignup?: boolean;
  defaultModelsSeat?: Seat;
  seatOverflow?: 'viewer' | 'refuse';
}

export async function updateOrganizationSettings(tx: Tx, orgId: string, s: OrgSettings): Promise<OrganizationRow> {
  if (s.defaultModelsSeat !== undefined && !SEATS.includes(s.defaultModelsSeat)) throw invalid(`defaultModelsSeat must be one of ${SEATS.join(', ')}`);
  if (s.seatOverflow !== undefined && !['viewer', 'refuse'].includes(s.seatOverflow)) throw invalid('seatOverflow must be viewer or refuse');
  const before = await getOrganization(tx.trx, orgId);
  const patch: Record<string, unknown> = {};
  if (s.autoProvisioning !== undefined) patch.auto_provisioning = s.autoProvisioning;
  if (s.domainCapture !== undefined) patch.domain_capture = s.domainCapture;
  if (s.teamJoinAtSignup !== undefined) patch.team_join_at_signup = s.teamJoinAtSignup;
  if (s.defaultModelsSeat !== undefined) patch.default_models_seat = s.defaultModelsSeat;
  if (s.seatOverflow !== undefined) patch.seat_overflow = s.seatOverflow;
  if (Object.keys(patch).length === 0) return before;
  const [org] = await tx.trx('organizations').where({ id: orgId }).update({ ...patch, updated_at: tx.trx.fn.now() }).returning('*');
  const pick = (o: OrganizationRow) => Object.fromEntries(Object.keys(patch).map((k) => [k, o[k as keyof OrganizationRow]]));
  await audit(tx, { orgId, action: 'org.settings', targetType: 'organization', targetId: orgId, before: pick(before), after: pick(org as OrganizationRow) });
  return org as OrganizationRow;
}

/** Seat license: null means unlimited. Lowering it below current use evicts nobody. */
/** The most seats of one kind a license can name (the columns are 32-bit integers). */
export const MAX_SEATS = 2_147_483_647;

export async function setSeatLicense(
  tx: Tx,
  orgId: string,
  license: { fullSeats: number | null; viewerSeats: number | null },
): Promise<OrganizationRow> {
  for (const [k, v] of Object.entries(license)) {
    // The columns are PostgreSQL integers: a larger count is refused here, not by the database (a 500).
    if (v !== null && (!Number.isInteger(v) || v < 0 || v > MAX_SEATS)) throw invalid(`${k} must be an integer from 0 to ${MAX_SEATS}, or null`);
  }
  const before = await getOrganization(tx.trx, orgId);
  const [org] = await tx.trx('organizations')
    .where({ id: orgId })
    .update({ models_full_seats: license.fullSeats, models_viewer_seats: license.viewerSeats, updated_at: tx.trx.fn.now() })
    .returning('*');
  await audit(tx, {
    orgId,
    action: 'org.seat_license',
    targetType: 'organization',
    targetId: orgId,
    before: { fullSeats: before.models_full_seats, viewerSeats: before.models_viewer_seats },
    after: license,
  });
  return org as OrganizationRow;
}

export async function setDefaultTeam(tx: Tx, orgId: string, teamId: string | null): Promise<void> {
  const before = await getOrganization(tx.trx, orgId);
  if (teamId) {
    const team = await tx.trx('teams').where({ id: teamId, org_id: orgId }).first('id');
    if (!team) throw notFound('team', teamId);
  }
  await tx.trx('organizations').where({ id: orgId }).update({ default_team_id: teamId, updated_at: tx.trx.fn.now() });
  await audit(tx, { orgId, action: 'org.default_team', targetType: 'organization', targetId: orgId, before: { defaultTeamId: before.default_team_id }, after: { defaultTeamId: teamId } });
}

/** The billing admin must be an active admin of the organization. */
export async function setBillingAdmin(tx: Tx, orgId: string, userId: string): Promise<void> {
  await lockOrganization(tx.trx, orgId);
  const before = await getOrganization(tx.trx, orgId);
  const m = await tx.trx('memberships').where({ org_id: orgId, user_id: userId }).first('org_role', 'status');
  if (!m) throw notFound('member', userId);
  if (m.org_role !== 'admin' || m.status !== 'active') throw invalid('the billing admin must be an active organization admin');
  await tx.trx('organizations').where({ id: orgId }).update({ billing_admin_user_id: userId, updated_at: tx.trx.fn.now() });
  await audit(tx, { orgId, action: 'org.billing_admin', targetType: 'organization', targetId: orgId, before: { billingAdmin: before.billing_admin_user_id }, after: { billingAdmin: userId } });
}
