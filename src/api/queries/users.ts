import type { Knex } from 'knex';
import type { Conn } from '../../db/connect.ts';
import type { MembershipStatus, OrgRole, Seat, TeamRole } from '../../domain/types.ts';
import { iso } from '../views.ts';

// The organization's users as the dashboard and the CSV export show them: one row per
// membership with the person's profile, teams, status and activity.

export interface UserFilter {
  q?: string | undefined;
  status?: MembershipStatus | undefined;
  role?: OrgRole | undefined;
}

export interface UserListRow {
  id: string;
  userName: string;
  name: string;
  email: string | null;
  orgRole: OrgRole;
  modelsSeat: Seat;
  weaveAccess: Seat;
  status: MembershipStatus;
  teams: { id: string; name: string; role: TeamRole; customRoleId: string | null }[];
  billingAdmin: boolean;
  /** Whether the record is linked to an account (SPEC §1 "Link"), how, and when that person last signed in. */
  linked: boolean;
  linkedBy: string | null;
  lastSignInAt: string | null;
  activity: { addedAt: string | null; lastActiveAt: string | null; daysActive: number };
  /** A pending record's open invitation: the teams it joins on acceptance, and until when. */
  invitation: { id: string; teams: { id: string; name: string }[]; createdAt: string | null; expiresAt: string | null } | null;
}

interface RawInvitation {
  id: string;
  teams: { id: string; name: string }[];
  created_at: string;
  expires_at: string;
}

/** A LIKE pattern matching `s` anywhere, with LIKE's own metacharacters escaped. */
export function containsPattern(s: string): string {
  return `%${s.normalize('NFKC').toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function base(conn: Conn, orgId: string, f: UserFilter): Knex.QueryBuilder {
  return conn('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where('m.org_id', orgId)
    .modify((q) => {
      if (f.status) q.where('m.status', f.status);
      if (f.role) q.where('m.org_role', f.role);
      if (f.q) {
        const p = containsPattern(f.q);
        q.where((w) =>
          w.where('u.user_name_key', 'like', p).orWhere('u.email_key', 'like', p).orWhereRaw(`lower(normalize(coalesce(u.display_name, ''), NFKC)) like ?`, [p]),
        );
      }
    });
}

const NAME_SQL = `coalesce(nullif(u.display_name, ''), nullif(trim(concat_ws(' ', u.given_name, u.family_name)), ''), u.user_name)`;

interface RawRow {
  id: string;
  user_name: string;
  name: string;
  email: string | null;
  org_role: OrgRole;
  models_seat: Seat;
  weave_access: Seat;
  status: MembershipStatus;
  teams: UserListRow['teams'] | string;
  billing_admin: boolean;
  linked_by: string | null;
  account_id: string | null;
  last_sign_in_at: Date | null;
  created_at: Date;
  last_active_at: Date | null;
  days_active: number;
  invitation: RawInvitation | string | null;
}

function invitationOf(r: RawRow): UserListRow['invitation'] {
  if (r.status !== 'pending' || r.invitation === null) return null;
  const i = typeof r.invitation === 'string' ? (JSON.parse(r.invitation) as RawInvitation) : r.invitation;
  return { id: i.id, teams: i.teams, createdAt: iso(new Date(i.created_at)), expiresAt: iso(new Date(i.expires_at)) };
}

function toRow(r: RawRow): UserListRow {
  return {
    id: r.id,
    userName: r.user_name,
    name: r.name,
    email: r.email,
    orgRole: r.org_role,
    modelsSeat: r.models_seat,
    weaveAccess: r.weave_access,
    status: r.status,
    teams: typeof r.teams === 'string' ? (JSON.parse(r.teams) as UserListRow['teams']) : r.teams,
    billingAdmin: r.billing_admin,
    linked: r.account_id !== null,
    linkedBy: r.linked_by,
    lastSignInAt: iso(r.last_sign_in_at),
    activity: { addedAt: iso(r.created_at), lastActiveAt: iso(r.last_active_at), daysActive: r.days_active },
    invitation: invitationOf(r),
  };
}

function select(conn: Conn, q: Knex.QueryBuilder): Knex.QueryBuilder {
  return q.select(
    'u.id',
    'u.user_name',
    'u.email',
    conn.raw(`${NAME_SQL} as name`),
    'm.org_role',
    'm.models_seat',
    'm.weave_access',
    'm.status',
    'm.created_at',
    'm.last_active_at',
    'm.days_active',
    'u.account_id',
    'u.linked_by',
    conn.raw('(select a.last_sign_in_at from accounts a where a.id = u.account_id) as last_sign_in_at'),
    conn.raw(`exists (select 1 from organizations o where o.id = m.org_id and o.billing_admin_user_id = u.id) as billing_admin`),
    conn.raw(
      `coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name, 'role', tm.role, 'customRoleId', tm.custom_role_id) order by t.name_key)
         from team_members tm join teams t on t.id = tm.team_id
        where tm.user_id = u.id and t.org_id = m.org_id), '[]'::json) as teams`,
    ),
    // The newest open invitation of a pending record, with its teams by name (a team
    // deleted since is left out, as acceptance skips it). Only this organization's teams.
    conn.raw(
      `(select json_build_object('id', i.id, 'created_at', i.created_at, 'expires_at', i.expires_at,
          'teams', coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name) order by t.name_key)
                               from teams t where t.org_id = i.org_id and t.id::text in (select jsonb_array_elements_text(i.team_ids::jsonb))), '[]'::json))
         from invitations i
        where i.org_id = m.org_id and i.user_id = u.id and m.status = 'pending' and i.revoked_at is null and i.accepted_at is null
        order by i.created_at desc limit 1) as invitation`,
    ),
  );
}

// Sortable columns: a whitelist of SQL expressions. Roles and seats sort by rank (Admin
// first, Full first), never alphabetically; names, then ids, break ties so pages are stable.
const SORTS: Readonly<Record<string, string>> = {
  name: `lower(${NAME_SQL})`,
  lastActive: `m.last_active_at`,
  role: `case m.org_role when 'admin' then 0 when 'member' then 1 else 2 end`,
  modelsSeat: `case m.models_seat when 'full' then 0 when 'viewer' then 1 else 2 end`,
  weaveAccess: `case m.weave_access when 'full' then 0 when 'viewer' then 1 else 2 end`,
  email: `u.email_key`,
  status: `case m.status when 'active' then 0 when 'pending' then 1 else 2 end`,
};

export type UserSort = keyof typeof SORTS | `-${string}`;

function orderBy(sort: string): string {
  const desc = sort.startsWith('-');
  const expr = SORTS[desc ? sort.slice(1) : sort] ?? SORTS.name!;
  return `${expr} ${desc ? 'desc' : 'asc'} nulls last, lower(${NAME_SQL}), u.id`;
}

export async function listUsers(conn: Conn, orgId: string, f: UserFilter, page: { offset: number; limit: number }, sort = 'name'): Promise<{ total: number; items: UserListRow[] }> {
  const countRow = await base(conn, orgId, f).count<{ n: number }>({ n: '*' }).first();
  const rows = (await select(conn, base(conn, orgId, f))
    .orderByRaw(orderBy(sort))
    .offset(page.offset)
    .limit(page.limit)) as RawRow[];
  return { total: Number(countRow?.n ?? 0), items: rows.map(toRow) };
}

export async function getUserRow(conn: Conn, orgId: string, userId: string): Promise<UserListRow | undefined> {
  const row = (await select(conn, base(conn, orgId, {}).where('u.id', userId)).first()) as RawRow | undefined;
  return row ? toRow(row) : undefined;
}
