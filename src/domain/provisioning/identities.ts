import type { Conn } from '../../db/connect.ts';
import { audit } from '../audit.ts';
import type { Tx } from '../context.ts';
import { conflict } from '../errors.ts';
import type { UserRow } from '../types.ts';

// External identities: (provider, external id) → person. provider is 'oidc:<issuer>' or
// 'ldap:<url>'; the external id is the IdP's stable subject (OIDC sub, LDAP entryUUID).

export async function findUserByExternalIdentity(conn: Conn, provider: string, externalId: string): Promise<UserRow | undefined> {
  return conn('external_identities as e')
    .join('users as u', 'u.id', 'e.user_id')
    .where({ 'e.provider': provider, 'e.external_id': externalId })
    .first<UserRow | undefined>('u.*');
}

/** Links an identity to a person; linking the same pair twice is a no-op. */
export async function linkExternalIdentity(tx: Tx, userId: string, provider: string, externalId: string): Promise<void> {
  const existing = await tx.trx('external_identities').where({ provider, external_id: externalId }).first('user_id');
  if (existing) {
    if (existing.user_id === userId) return;
    throw conflict('this sign-in identity is already linked to another person', { provider });
  }
  await tx.trx('external_identities').insert({ provider, external_id: externalId, user_id: userId, last_seen_at: tx.trx.fn.now() });
  await audit(tx, { orgId: null, action: 'user.identity.link', targetType: 'user', targetId: userId, after: { provider, externalId } });
}

export async function touchExternalIdentity(tx: Tx, provider: string, externalId: string): Promise<void> {
  await tx.trx('external_identities').where({ provider, external_id: externalId }).update({ last_seen_at: tx.trx.fn.now() });
}
