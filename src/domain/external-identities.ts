import type { Conn } from '../db/connect.ts';
import type { Tx } from './context.ts';
import { audit } from './audit.ts';
import { conflict, notFound } from './errors.ts';
import { endSessionsOfIdentity } from './sessions.ts';
import type { AccountRow } from './types.ts';

// External identities are keyed by (provider, external id): e.g. ('oidc:<issuer>', sub)
// or ('ldap:<url>', the LDAP_ID_ATTRIBUTE value: entryUUID, objectGUID — never the DN).
// An email never identifies anyone on its own.

export async function findAccountByExternalIdentity(conn: Conn, provider: string, externalId: string): Promise<AccountRow | undefined> {
  return conn('external_identities as x')
    .join('accounts as a', 'a.id', 'x.account_id')
    .where({ 'x.provider': provider, 'x.external_id': externalId })
    .first<AccountRow | undefined>('a.*');
}

/** Whether the account already has an identity at this provider (another subject there must not take it over). */
export async function hasIdentityAt(conn: Conn, accountId: string, provider: string): Promise<boolean> {
  return Boolean(await conn('external_identities').where({ account_id: accountId, provider }).first('external_id'));
}

export async function linkExternalIdentity(tx: Tx, provider: string, externalId: string, accountId: string): Promise<void> {
  const existing = await tx.trx('external_identities').where({ provider, external_id: externalId }).first('account_id');
  if (existing) {
    if (existing.account_id === accountId) return;
    throw conflict('this sign-in identity is already linked to another account', { provider });
  }
  await tx.trx('external_identities').insert({ provider, external_id: externalId, account_id: accountId, last_seen_at: tx.trx.fn.now() });
  await audit(tx, { orgId: null, action: 'identity.link', targetType: 'account', targetId: accountId, after: { provider, externalId } });
}

export async function touchExternalIdentity(conn: Conn, provider: string, externalId: string): Promise<void> {
  await conn('external_identities').where({ provider, external_id: externalId }).update({ last_seen_at: conn.fn.now() });
}

export interface IdentityRow {
  provider: string;
  external_id: string;
  account_id: string;
  created_at: Date;
  last_seen_at: Date | null;
}

export async function listIdentities(conn: Conn, accountId: string): Promise<IdentityRow[]> {
  return conn('external_identities').where({ account_id: accountId }).orderBy(['provider', 'external_id']).select<IdentityRow[]>('*');
}

/**
 * Unlinks one sign-in identity from an account (an operator's repair after a refused
 * sign-in: the next sign-in through it links again by the usual rules), and ends the
 * sessions it signed in.
 */
export async function unlinkExternalIdentity(tx: Tx, accountId: string, provider: string, externalId: string): Promise<void> {
  const gone = await tx.trx('external_identities').where({ account_id: accountId, provider, external_id: externalId }).delete().returning('provider');
  if (!gone.length) throw notFound('identity', `${provider}#${externalId}`);
  // Whoever signed in with it is signed out: an identity unlinked as not this person's
  // must not keep the sessions it opened (up to SESSION_TTL_HOURS).
  const sessionsEnded = await endSessionsOfIdentity(tx.trx, accountId, provider, externalId);
  await audit(tx, { orgId: null, action: 'identity.unlink', targetType: 'account', targetId: accountId, before: { provider, externalId }, after: { sessionsEnded } });
}
