import type { Knex } from 'knex';

/** Ends every server-side session of an account at once (sign-out everywhere). */
export async function endSessionsOfAccount(trx: Knex.Transaction | Knex, accountId: string): Promise<number> {
  // Counted through returning(): PGlite's driver answers a bare delete with a result object, not a count.
  return (await trx('sessions').where({ account_id: accountId }).delete().returning('sid')).length;
}

/**
 * Ends the account's sessions that this external identity signed in (unlinking it: whoever
 * signed in with it is no longer this account). A provider session that recorded no
 * identity (made before sessions kept it) cannot be told apart and ends too; sessions no
 * provider made (break-glass, setup) stay.
 */
export async function endSessionsOfIdentity(trx: Knex.Transaction | Knex, accountId: string, provider: string, externalId: string): Promise<number> {
  return (
    await trx('sessions')
      .where({ account_id: accountId })
      .where((w) =>
        w
          .where((i) => i.whereRaw(`data->'identity'->>'provider' = ?`, [provider]).whereRaw(`data->'identity'->>'externalId' = ?`, [externalId]))
          .orWhere((old) => old.whereRaw(`data->'identity' is null`).whereRaw(`data->>'authMethod' in ('oidc', 'ldap')`)),
      )
      .delete()
      .returning('sid')
  ).length;
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
