import type { Knex } from 'knex';

/** Ends every server-side session of an account at once (sign-out everywhere). */
export async function endSessionsOfAccount(trx: Knex.Transaction | Knex, accountId: string): Promise<number> {
  // Counted through returning(): PGlite's driver answers a bare delete with a result object, not a count.
  return (await trx('sessions').where({ account_id: accountId }).delete().returning('sid')).length;
}

/** Revokes a member record's API keys (in its organization; orgId narrows it, null means any). */
export async function revokeUserApiKeys(trx: Knex.Transaction, userId: string, orgId: string | null): Promise<number> {
  return trx('api_keys')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .modify((q) => {
      if (orgId) q.where({ org_id: orgId });
    })
    .update({ revoked_at: trx.fn.now() });
}
