import type { Conn } from '../../../db/connect.ts';
import { URN } from '../../constants.ts';
import { weakEtag } from '../../etag.ts';

export interface TeamRecord {
  id: string;
  name: string;
  external_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export const GROUP_SELECT = 't.id, t.name, t.external_id, t.version, t.created_at, t.updated_at';
export const groupEtag = (t: Pick<TeamRecord, 'version'>) => weakEtag(t.version);

export async function findTeamRecord(conn: Conn, orgId: string, id: string, forUpdate = false): Promise<TeamRecord | undefined> {
  const q = conn('teams as t').where({ 't.org_id': orgId, 't.id': id }).first<TeamRecord | undefined>(conn.raw(GROUP_SELECT));
  return forUpdate ? q.forUpdate() : q;
}

/** Members of several teams in one query; only when the client wants them. */
export async function membersOf(conn: Conn, teamIds: string[]): Promise<Map<string, { value: string; display: string }[]>> {
  const out = new Map<string, { value: string; display: string }[]>();
  if (!teamIds.length) return out;
  const res = await conn.raw(
    `select tm.team_id, tm.user_id, u.user_name from team_members tm join users u on u.id = tm.user_id
      where tm.team_id = any(?::uuid[]) order by tm.team_id, tm.created_at, tm.user_id`,
    [teamIds],
  );
  for (const r of res.rows as { team_id: string; user_id: string; user_name: string }[]) {
    const list = out.get(r.team_id) ?? [];
    list.push({ value: r.user_id, display: r.user_name });
    out.set(r.team_id, list);
  }
  return out;
}

export function toScimGroup(t: TeamRecord, members: { value: string; display: string }[] | undefined, baseUrl: string): Record<string, unknown> {
  const out: Record<string, unknown> = { schemas: [URN.group], id: t.id };
  if (t.external_id !== null) out.externalId = t.external_id;
  out.displayName = t.name;
  if (members) out.members = members.map((m) => ({ value: m.value, $ref: `${baseUrl}/Users/${m.value}`, display: m.display, type: 'User' }));
  out.meta = {
    resourceType: 'Group',
    created: new Date(t.created_at).toISOString(),
    lastModified: new Date(t.updated_at).toISOString(),
    location: `${baseUrl}/Groups/${t.id}`,
    version: groupEtag(t),
  };
  return out;
}

export async function renderGroups(conn: Conn, rows: TeamRecord[], baseUrl: string, withMembers: boolean): Promise<Record<string, unknown>[]> {
  const members = withMembers ? await membersOf(conn, rows.map((r) => r.id)) : undefined;
  return rows.map((r) => toScimGroup(r, members ? members.get(r.id) ?? [] : undefined, baseUrl));
}
