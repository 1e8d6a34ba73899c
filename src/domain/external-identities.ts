import type { Conn } from '../db/connect.ts';
import type { Tx } from './context.ts';
import { audit } from './audit.ts';
import { conflict } from './errors.ts';
import type { UserRow } from './types.ts';

// External identities are keyed by (provider, external id): e.g. ('oidc:<issuer>', sub)
// or ('ldap:<url>', the LDAP_ID_ATTRIBUTE value: entryUUID, objectGUID — never the DN).
// An email never identifies anyone on its own.

export async function findUserByExternalIdentity(conn: Conn, provider: string, externalId: string): Promise<UserRow | undefined> {
  return conn('external_identities as x')
    .join('users as u', 'u.id', 'x.user_id')
    .where({ 'x.provider': provider, 'x.external_id': externalId })
    .first<UserRow | undefined>('u.*');
}

export async function linkExternalIdentity(tx: Tx, provider: string, externalId: string, userId: string): Promise<void> {
  const existing = await tx.trx('external_identities').where({ provider, external_id: externalId }).first('user_id');
  if (existing) {
    if (existing.user_id === userId) return;
    throw conflict('this sign-in identity is already linked to another person', { provider });
  }
  await tx.trx('external_identities').insert({ provider, external_id: externalId, user_id: userId, last_seen_at: tx.trx.fn.now() });
  await audit(tx, { orgId: null, action: 'identity.link', targetType: 'user', targetId: userId, after: { provider, externalId } });
}

export async function touchExternalIdentity(conn: Conn, provider: string, externalId: string): Promise<void> {
  await conn('external_identities').where({ provider, external_id: externalId }).update({ last_seen_at: conn.fn.now() });
}
