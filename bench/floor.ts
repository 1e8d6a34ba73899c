import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { hashSecret } from '../src/lib/secrets.ts';
import { userSelect } from '../src/scim/resources/users/read.ts';

// The floor: the statements orgbridge sends for each operation (as traced from knex's
// query events), sent as bare SQL through `pg` — no HTTP, no Express, no knex, no JSON
// rendering. The ratio orgbridge / floor is the cost of everything but the database.

export function floorPool(url: string, schema: string, max = 16): pg.Pool {
  return new pg.Pool({ connectionString: url, max, options: `-c search_path=${schema}` });
}

type Q = Pick<pg.PoolClient, 'query'>;

async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
}

/** Bearer token lookup, as authenticateScimToken does it on every request. */
export async function authSql(q: Q, token: string): Promise<string | undefined> {
  const r = await q.query('select id, org_id, token_hash, last_used_at from scim_tokens where token_hash = $1 and revoked_at is null limit 1', [hashSecret(token)]);
  return r.rows[0]?.id as string | undefined;
}

const AUDIT = `insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, outcome, reason)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;
// A directory change writes its event in the audit row's statement (src/domain/audit.ts, issue 16).
const AUDIT_AND_EVENT = `with a as (${AUDIT} returning id)
  insert into events (org_id, type, audit_id, subject) select $1, $12, a.id, $13 from a`;

/** POST /Users: the statements of addMember for a new member record (src/domain/people.ts insertUser). */
export async function createUserStatements(c: Q, orgId: string, userName: string, tokenId: string | null = null): Promise<void> {
  const id = randomUUID();
  await c.query('select * from organizations where id = $1 limit 1', [orgId]);
  // The record, linked in the same statement when the organization manages the address's domain.
  await c.query(
    `with managed as (
      select a.id from accounts a
       where a.email_key = lower(normalize($17::text, NFKC))
         and exists (select 1 from org_domains d where d.org_id = $2 and d.status = 'verified' and d.domain = split_part(a.email_key, '@', 2))
         and not exists (select 1 from users x where x.org_id = $2 and x.account_id = a.id))
    insert into users ("id", "org_id", "user_name", "display_name", "given_name", "family_name", "middle_name", "honorific_prefix", "honorific_suffix", "nick_name", "title", "locale", "timezone", "preferred_language", "email", "profile", account_id, linked_at, linked_by)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, (select id from managed),
            case when exists (select 1 from managed) then now() end,
            case when exists (select 1 from managed) then 'managed_domain' end)
    returning *`,
    [id, orgId, userName, null, 'Given', 'Family', null, null, null, null, null, null, null, null, userName, '{}', userName],
  );
  await c.query('insert into user_emails (user_id, value, type, "primary", position) values ($1, $2, $3, $4, $5)', [id, userName, 'work', true, 0]);
  await c.query(
    'insert into memberships (id, org_id, user_id, status, org_role, models_seat, weave_access, external_id, idp_owned, deactivated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, null) returning *',
    [randomUUID(), orgId, id, 'active', 'member', 'full', 'full', null, JSON.stringify(['userName', 'name', 'emails', 'active'])],
  );
  const after = { userName, status: 'active', orgRole: 'member', modelsSeat: 'full', weaveAccess: 'full', customRoleId: null };
  await c.query(AUDIT_AND_EVENT, [orgId, 'scim', tokenId, 'scim token bench', 'member.add', 'user', id, null, JSON.stringify(after), 'ok', null, 'member.provisioned', `user:${id}`]);
}

export async function createUserSql(pool: pg.Pool, token: string, orgId: string, userName: string): Promise<void> {
  const tokenId = await authSql(pool, token);
  await tx(pool, (c) => createUserStatements(c, orgId, userName, tokenId));
}

const USERS_FROM = 'from memberships m join users u on u.id = m.user_id';

/** GET /Users?filter=userName eq "…": auth, then one page statement (a partial page needs no count). */
export async function filterUserSql(pool: pg.Pool, token: string, orgId: string, userName: string): Promise<void> {
  await authSql(pool, token);
  await pool.query(`select ${userSelect()} ${USERS_FROM} where m.org_id = $1 and u.user_name_key = lower(normalize($2, NFKC)) order by m.created_at, m.id limit $3 offset $4`, [orgId, userName, 100, 0]);
}

/** GET /Users?startIndex=…&count=100: auth, then count and page in parallel. */
export async function pageUsersSql(pool: pg.Pool, token: string, orgId: string, offset: number): Promise<void> {
  await authSql(pool, token);
  await Promise.all([
    pool.query('select coalesce(sum(n), 0)::int as n from org_membership_counts where org_id = $1', [orgId]),
    pool.query(`select ${userSelect()} ${USERS_FROM} where m.id in (select id from memberships where org_id = $1 order by created_at, id limit $2 offset $3) order by m.created_at, m.id`, [orgId, 100, offset]),
  ]);
}

export async function listGroupsSql(pool: pg.Pool, token: string, orgId: string): Promise<void> {
  await authSql(pool, token);
  await Promise.all([
    pool.query('select count(*)::int as n from teams t where t.org_id = $1', [orgId]),
    pool.query('select t.id, t.name, t.external_id, t.version, t.created_at, t.updated_at from teams t where t.id in (select id from teams where org_id = $1 order by created_at, id limit $2 offset $3) order by t.created_at, t.id', [orgId, 100, 0]),
  ]);
}

const TEAM = 'select t.id, t.name, t.external_id, t.version, t.created_at, t.updated_at from teams as t where t.org_id = $1 and t.id = $2 limit $3';

async function groupPatch(pool: pg.Pool, token: string, orgId: string, teamId: string, body: (c: pg.PoolClient) => Promise<void>): Promise<void> {
  await authSql(pool, token);
  await tx(pool, async (c) => {
    await c.query(`${TEAM} for update`, [orgId, teamId, 1]);
    await c.query('select * from teams where id = $1 and org_id = $2 limit $3', [teamId, orgId, 1]);
    await body(c);
    await c.query('update teams set version = version + 1, updated_at = CURRENT_TIMESTAMP where id = $1', [teamId]);
    await c.query(AUDIT_AND_EVENT, [orgId, 'scim', null, 'scim token bench', 'team.members.add', 'team', teamId, null, null, 'ok', null, 'team.members_added', `team:${teamId}`]);
    await c.query('select * from role_groups where org_id = $1 and source = $2 and lower(group_name) = any($3)', [orgId, 'scim', ['team']]);
    await c.query(TEAM, [orgId, teamId, 1]);
  });
}

export const removeMemberSql = (pool: pg.Pool, token: string, orgId: string, teamId: string, userId: string) =>
  groupPatch(pool, token, orgId, teamId, async (c) => {
    await c.query('delete from team_members where team_id = $1 and user_id in ($2) returning user_id, role', [teamId, userId]);
  });

export const addMembersSql = (pool: pg.Pool, token: string, orgId: string, teamId: string, ids: string[]) =>
  groupPatch(pool, token, orgId, teamId, async (c) => {
    await c.query('select user_id from memberships where org_id = $1 and user_id = any($2::uuid[])', [orgId, ids]);
    await c.query(`insert into team_members (role, team_id, user_id) select 'member', $1, unnest($2::uuid[]) on conflict (team_id, user_id) do nothing returning user_id`, [teamId, ids]);
  });

/** A Bulk request: one authentication, then each create in its own transaction. */
export async function bulkCreateSql(pool: pg.Pool, token: string, orgId: string, names: string[]): Promise<void> {
  const tokenId = await authSql(pool, token);
  for (const n of names) await tx(pool, (c) => createUserStatements(c, orgId, n, tokenId));
}
