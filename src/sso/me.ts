import type { Db } from '../db/connect.ts';

// What /auth/me answers: the signed-in person, their organizations with role, seat and
// status, and their teams in each.

export interface Me {
  user: { id: string; userName: string; email: string | null; displayName: string | null; systemAdmin: boolean };
  organizations: {
    id: string;
    name: string;
    slug: string;
    status: string;
    role: string;
    customRoleId: string | null;
    modelsSeat: string;
    teams: { id: string; name: string; role: string }[];
  }[];
}

export async function loadMe(db: Db, userId: string): Promise<Me | null> {
  const u = await db('users').where({ id: userId }).first('id', 'user_name', 'email', 'display_name', 'system_admin');
  if (!u) return null;
  const orgs = await db('memberships as m')
    .join('organizations as o', 'o.id', 'm.org_id')
    .where('m.user_id', userId)
    .orderBy('o.name')
    .select('o.id', 'o.name', 'o.slug', 'm.status', 'm.org_role', 'm.custom_role_id', 'm.models_seat');
  const teams = await db('team_members as tm')
    .join('teams as t', 't.id', 'tm.team_id')
    .where('tm.user_id', userId)
    .orderBy('t.name')
    .select('t.id', 't.name', 't.org_id', 'tm.role');
  return {
    user: { id: u.id, userName: u.user_name, email: u.email, displayName: u.display_name, systemAdmin: u.system_admin },
    organizations: orgs.map((o: Record<string, string | null>) => ({
      id: o.id!,
      name: o.name!,
      slug: o.slug!,
      status: o.status!,
      role: o.org_role!,
      customRoleId: o.custom_role_id ?? null,
      modelsSeat: o.models_seat!,
      teams: teams
        .filter((t: Record<string, string>) => t.org_id === o.id)
        .map((t: Record<string, string>) => ({ id: t.id!, name: t.name!, role: t.role! })),
    })),
  };
}
