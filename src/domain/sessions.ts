import type { Knex } from 'knex';

/** Ends every server-side session of a person at once (sign-out everywhere). */
export async function endSessionsOfUser(trx: Knex.Transaction | Knex, userId: string): Promise<number> {
  // Counted through returning(): PGlite's driver answers a bare delete with a result object, not a count.
  return (await trx('sessions').where({ user_id: userId }).delete().returning('sid')).length;
}

/** Revokes a person's API keys in one organization (all organizations when orgId is null). */
export async function revokeUserApiKeys(trx: Knex.Transaction, userId: string, orgId: string | null): Promise<number> {
  return trx('api_keys')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .modify((q) => {
      if (orgId) q.where({ org_id: orgId });
    })
    .update({ revoked_at: trx.fn.now() });
}
