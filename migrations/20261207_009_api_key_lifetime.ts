import type { Knex } from 'knex';

// Admin API keys live as long as their creator's admin power, and may expire (issue 14).
//   - `expires_at`: optional end of a key's life.
//   - A key made with another admin key recorded no creator; it takes the creator of the
//     key it was made with (found through the audit row of its creation), repeated for
//     chains of keys.
//   - An admin key still without a creator, or whose creator is no longer an active admin
//     of its organization linked to them, is revoked: the new rules would refuse it anyway,
//     and a revoked key is visible as such in the key list. Each revocation is audited.
const statements = [
  `alter table api_keys add column if not exists expires_at timestamptz`,
];

const INHERIT = `update api_keys k set created_by = parent.created_by
   from audit_log a join api_keys parent on parent.id::text = a.actor_id
  where k.kind = 'admin' and k.created_by is null and parent.created_by is not null
    and a.action = 'api_key.create' and a.actor_type = 'api_key' and a.target_id = k.id::text`;

const ORPHANS = `select k.id, k.org_id, k.created_by from api_keys k
  where k.kind = 'admin' and k.revoked_at is null
    and not exists (select 1 from users u join memberships m on m.user_id = u.id
                     where u.org_id = k.org_id and u.account_id = k.created_by
                       and m.org_id = k.org_id and m.org_role = 'admin' and m.status = 'active')`;

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
  // A chain of keys is as long as people made it; each pass resolves one more link.
  for (let pass = 0; pass < 100; pass++) {
    const res = (await knex.raw(`${INHERIT} returning k.id`)) as { rows?: unknown[] };
    if (!res.rows?.length) break;
  }
  const orphans = ((await knex.raw(ORPHANS)) as { rows: { id: string; org_id: string; created_by: string | null }[] }).rows;
  for (const k of orphans) {
    await knex('api_keys').where({ id: k.id }).update({ revoked_at: knex.fn.now() });
    await knex('audit_log').insert({
      org_id: k.org_id,
      actor_type: 'system',
      actor_id: null,
      actor_label: 'orgbridge',
      action: 'api_key.revoke',
      target_type: 'api_key',
      target_id: k.id,
      after: JSON.stringify({ reason: k.created_by ? 'creator no longer an admin (migration 009)' : 'no known creator (migration 009)', createdBy: k.created_by }),
      outcome: 'ok',
    });
  }
}

export async function down(): Promise<void> {
  throw new Error('orgbridge migrations are forward-only');
}
