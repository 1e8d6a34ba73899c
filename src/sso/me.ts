import type { Db } from '../db/connect.ts';
import { trustsOrg, type ProviderTrust } from '../domain/provisioning/provider-trust.ts';

// What /auth/me answers: the signed-in account, the organizations it has a linked record in with role, seat and
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

/** `trust`: the session's provider trust (src/sso/trust.ts); organizations it does not reach are left out. */
export async function loadMe(db: Db, accountId: string, trust: ProviderTrust | null = null): Promise<Me | null> {
  const a = await db('accounts').where({ id: accountId }).first('id', 'email', 'display_name', 'system_admin');
  if (!a) return null;
  const orgs = await db('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .join('organizations as o', 'o.id', 'm.org_id')
    .where('u.account_id', accountId)
    .orderBy('o.name')
    .select('o.id', 'o.name', 'o.slug', 'm.status', 'm.org_role', 'm.custom_role_id', 'm.models_seat')
    .then((rows: { slug: string }[]) => rows.filter((o) => !trust || trustsOrg(trust, o)));
  const teams = await db('team_members as tm')
    .join('users as u', 'u.id', 'tm.user_id')
    .join('teams as t', 't.id', 'tm.team_id')
    .where('u.account_id', accountId)
    .orderBy('t.name')
    .select('t.id', 't.name', 't.org_id', 'tm.role');
  return {
    user: { id: a.id, userName: a.email, email: a.email, displayName: a.display_name, systemAdmin: a.system_admin && (!trust || trust.orgSlugs === null) },
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
