import type { Conn } from '../../../db/connect.ts';
import { identityKey, type EmailInput } from '../../../domain/people.ts';
import type { MembershipRow, UserRow } from '../../../domain/types.ts';
import { URN } from '../../constants.ts';
import { weakEtag } from '../../etag.ts';

// Loads users (person + membership in this organization) and renders them as SCIM.

/** A person's profile columns as stored, plus their membership here, as the list query selects them. */
export interface UserRecord
  extends Pick<
    UserRow,
    | 'id'
    | 'user_name'
    | 'email'
    | 'display_name'
    | 'given_name'
    | 'family_name'
    | 'middle_name'
    | 'honorific_prefix'
    | 'honorific_suffix'
    | 'nick_name'
    | 'title'
    | 'locale'
    | 'timezone'
    | 'preferred_language'
    | 'profile'
  > {
  u_updated_ms: string | number;
  emails: EmailInput[];
  teams?: Omit<TeamPlace, 'user_id'>[];
  registries?: RegistryPlace[];
  status: MembershipRow['status'];
  org_role: string;
  custom_role_name: string | null;
  models_seat: string;
  weave_access: string;
  external_id: string | null;
  version: number;
  m_created_at: Date;
  last_modified: Date;
}

export interface TeamPlace {
  team_id: string;
  team_name: string;
  role: string;
  custom_role_name: string | null;
}

/** A registry role the person holds themselves (not through a team). */
export interface RegistryPlace {
  registry_id: string;
  registry_name: string;
  role: string;
}

const BASE_SELECT = [
  'u.id', 'u.user_name', 'u.email', 'u.display_name', 'u.given_name', 'u.family_name', 'u.middle_name',
  'u.honorific_prefix', 'u.honorific_suffix', 'u.nick_name', 'u.title', 'u.locale', 'u.timezone',
  'u.preferred_language', 'u.profile',
  'floor(extract(epoch from u.updated_at) * 1000)::bigint as u_updated_ms',
  'm.status', 'm.org_role', 'm.models_seat', 'm.weave_access', 'm.external_id', 'm.version',
  'm.created_at as m_created_at', 'greatest(m.updated_at, u.updated_at) as last_modified',
  '(select cr.name from custom_roles cr where cr.id = m.custom_role_id) as custom_role_name',
  // emails and team places come with the row (one statement per page, not three)
  `coalesce((select json_agg(json_build_object('value', e.value, 'display', e.display, 'type', e.type, 'primary', e."primary") order by e.position)
     from user_emails e where e.user_id = u.id), '[]') as emails`,
].join(', ');

const TEAMS_SELECT = `coalesce((select json_agg(json_build_object('team_id', t.id, 'team_name', t.name, 'role', tm.role, 'custom_role_name', cr.name) order by t.name)
     from team_members tm join teams t on t.id = tm.team_id left join custom_roles cr on cr.id = tm.custom_role_id
    where tm.user_id = u.id and t.org_id = m.org_id), '[]') as teams`;

// The person's own registry roles (registry_roles.user_id is the member record, so of this
// organization only; roles held through a team are the team's, not shown here).
const REGISTRIES_SELECT = `coalesce((select json_agg(json_build_object('registry_id', r.id, 'registry_name', r.name, 'role', rr.role) order by r.name_key)
     from registry_roles rr join registries r on r.id = rr.registry_id
    where rr.user_id = u.id and r.org_id = m.org_id), '[]') as registries`;

/** The select list of every user query (FROM memberships m JOIN users u). */
export const userSelect = (withTeams = true, withRegistries = true) =>
  [BASE_SELECT, ...(withTeams ? [TEAMS_SELECT] : []), ...(withRegistries ? [REGISTRIES_SELECT] : [])].join(', ');

export const userEtag = (r: Pick<UserRecord, 'version' | 'u_updated_ms'>) => weakEtag(`${r.version}-${Number(r.u_updated_ms).toString(36)}`);

export async function findUserRecord(conn: Conn, orgId: string, userId: string, forUpdate = false): Promise<UserRecord | undefined> {
  const res = await conn.raw(
    `select ${userSelect()} from memberships m join users u on u.id = m.user_id where m.org_id = ? and m.user_id = ?${forUpdate ? ' for update of m' : ''}`,
    [orgId, userId],
  );
  return (res.rows as UserRecord[])[0];
}

const iso = (d: Date | string) => new Date(d).toISOString();

function compact(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined && v !== ''));
  return Object.keys(out).length ? out : undefined;
}

/** The SCIM representation (every attribute; projection comes later). */
export function toScimUser(r: UserRecord, baseUrl: string): Record<string, unknown> {
  const emails = r.emails ?? [];
  const teams = r.teams ?? [];
  const extra = (r.profile?.scim ?? {}) as Record<string, unknown>;
  const extraName = (extra.name ?? {}) as Record<string, unknown>;
  const enterprise = r.profile?.enterprise as Record<string, unknown> | undefined;
  const out: Record<string, unknown> = { schemas: [URN.user], id: r.id };
  if (r.external_id !== null) out.externalId = r.external_id;
  out.userName = r.user_name;
  const name = compact({
    formatted: extraName.formatted,
    familyName: r.family_name,
    givenName: r.given_name,
    middleName: r.middle_name,
    honorificPrefix: r.honorific_prefix,
    honorificSuffix: r.honorific_suffix,
  });
  if (name) out.name = name;
  const scalars: [string, unknown][] = [
    ['displayName', r.display_name],
    ['nickName', r.nick_name],
    ['profileUrl', extra.profileUrl],
    ['title', r.title],
    ['userType', extra.userType],
    ['preferredLanguage', r.preferred_language],
    ['locale', r.locale],
    ['timezone', r.timezone],
  ];
  for (const [k, v] of scalars) if (v !== null && v !== undefined) out[k] = v;
  out.active = r.status !== 'deactivated';
  if (emails.length) out.emails = emails.map((e) => compact({ value: e.value, display: e.display, type: e.type, primary: e.primary }));
  for (const k of ['phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates']) {
    if (Array.isArray(extra[k]) && (extra[k] as unknown[]).length) out[k] = extra[k];
  }
  if (teams.length) {
    out.groups = teams.map((t) => ({ value: t.team_id, $ref: `${baseUrl}/Groups/${t.team_id}`, display: t.team_name, type: 'direct' }));
  }
  if (enterprise && Object.keys(enterprise).length) {
    out[URN.enterpriseUser] = enterprise;
    (out.schemas as string[]).push(URN.enterpriseUser);
  }
  out[URN.orgbridgeUser] = {
    organizationRole: r.custom_role_name ?? r.org_role,
    modelsSeat: r.models_seat,
    weaveAccess: r.weave_access,
    teamRoles: teams.map((t) => ({ team: t.team_name, teamId: t.team_id, role: t.custom_role_name ?? t.role })),
    registryRoles: (r.registries ?? []).map((g) => ({ registry: g.registry_name, registryId: g.registry_id, role: g.role })),
  };
  (out.schemas as string[]).push(URN.orgbridgeUser);
  out.meta = {
    resourceType: 'User',
    created: iso(r.m_created_at),
    lastModified: iso(r.last_modified),
    location: `${baseUrl}/Users/${r.id}`,
    version: userEtag(r),
  };
  return out;
}

export function renderUsers(rows: UserRecord[], baseUrl: string): Record<string, unknown>[] {
  return rows.map((r) => toScimUser(r, baseUrl));
}

export async function loadScimUser(conn: Conn, orgId: string, userId: string, baseUrl: string, forUpdate = false): Promise<{ record: UserRecord; resource: Record<string, unknown> } | undefined> {
  const record = await findUserRecord(conn, orgId, userId, forUpdate);
  if (!record) return undefined;
  return { record, resource: toScimUser(record, baseUrl) };
}

/**
 * The record of a person and membership just written (as people.ts stores emails: first
 * of each key). Built field by field rather than by spreading the row: the row carries
 * columns a record does not (the generated keys, timestamps), and this runs on every
 * create.
 */
export function recordFromRows(user: UserRow, membership: MembershipRow, emails: EmailInput[]): UserRecord {
  const seen = new Set<string>();
  const kept: EmailInput[] = [];
  for (const e of emails) {
    const k = identityKey(e.value);
    if (seen.has(k)) continue;
    seen.add(k);
    kept.push({ value: e.value, display: e.display ?? null, type: e.type ?? null, primary: e.primary ?? false });
  }
  const userUpdated = new Date(user.updated_at).getTime();
  return {
    id: user.id,
    user_name: user.user_name,
    email: user.email,
    display_name: user.display_name,
    given_name: user.given_name,
    family_name: user.family_name,
    middle_name: user.middle_name,
    honorific_prefix: user.honorific_prefix,
    honorific_suffix: user.honorific_suffix,
    nick_name: user.nick_name,
    title: user.title,
    locale: user.locale,
    timezone: user.timezone,
    preferred_language: user.preferred_language,
    profile: user.profile,
    u_updated_ms: userUpdated,
    status: membership.status,
    org_role: membership.org_role,
    custom_role_name: null,
    models_seat: membership.models_seat,
    weave_access: membership.weave_access,
    external_id: membership.external_id,
    version: membership.version,
    m_created_at: membership.created_at,
    last_modified: new Date(Math.max(new Date(membership.updated_at).getTime(), userUpdated)),
    emails: kept,
    teams: [],
    registries: [],
  };
}
