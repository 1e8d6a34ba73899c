import type { Db } from '../../db/connect.ts';
import { hashSecret, newId, newSecret } from '../../lib/secrets.ts';
import { audit, writeAuditRow } from '../audit.ts';
import { runInTransaction, type Actor, type Tx } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import { identityKey } from '../people.ts';

// Break-glass: a single-use sign-in link for an organization admin, for when the IdP is
// down. Only the SHA-256 of the token is stored; the link expires after 15 minutes; its
// creation and its use are audited.

export const BREAK_GLASS_TTL_MS = 15 * 60_000;
export const BREAK_GLASS_PURPOSE = 'break_glass';

export interface BreakGlassLink {
  token: string;
  accountId: string;
  expiresAt: Date;
}

/** The organization's active admin record with this userName or address, and the account linked to it. */
async function adminRecord(tx: Tx, orgId: string, email: string): Promise<{ id: string; account_id: string | null } | undefined> {
  const key = identityKey(email.trim());
  return tx.trx('users as u')
    .join('memberships as m', 'm.user_id', 'u.id')
    .where({ 'u.org_id': orgId, 'm.org_role': 'admin', 'm.status': 'active' })
    .where((w) => w.where('u.user_name_key', key).orWhere('u.email_key', key))
    .orderByRaw('u.account_id is null')
    .first('u.id', 'u.account_id');
}

export async function createBreakGlassLink(tx: Tx, input: { orgId: string; email: string; now: Date }): Promise<BreakGlassLink> {
  const record = await adminRecord(tx, input.orgId, input.email);
  if (!record) throw new DomainError('forbidden', `${input.email} is not an active admin of this organization`, { email: input.email });
  if (!record.account_id) throw notFound('account linked to', input.email);
  const user = { id: record.account_id };
  const token = newSecret('obg');
  const expiresAt = new Date(input.now.getTime() + BREAK_GLASS_TTL_MS);
  const id = newId();
  await tx.trx('login_links').insert({
    id,
    token_hash: hashSecret(token),
    account_id: user.id,
    org_id: input.orgId,
    purpose: BREAK_GLASS_PURPOSE,
    created_at: input.now,
    expires_at: expiresAt,
  });
  await audit(tx, { orgId: input.orgId, action: 'sso.break_glass.create', targetType: 'account', targetId: user.id, after: { linkId: id, expiresAt: expiresAt.toISOString() } });
  return { token, accountId: user.id, expiresAt };
}

/**
 * Uses a link once: marks it used in the same statement that checks it is unused and
 * unexpired, so two concurrent uses cannot both succeed. The person must still be an
 * active admin of the organization. Returns the account id, or throws DomainError('expired').
 */
export async function consumeBreakGlassLink(db: Db, token: string, now: Date): Promise<{ accountId: string; orgId: string | null }> {
  const actor: Actor = { type: 'sso', id: null, label: 'break-glass link' };
  const tokenHash = hashSecret(token);
  try {
    return await runInTransaction(db, actor, async (tx) => {
      const [link] = (await tx.trx('login_links')
        .where({ token_hash: tokenHash, purpose: BREAK_GLASS_PURPOSE })
        .whereNull('used_at')
        .where('expires_at', '>', now)
        .update({ used_at: now })
        .returning(['id', 'account_id', 'org_id'])) as { id: string; account_id: string; org_id: string | null }[];
      if (!link) throw new DomainError('expired', 'the sign-in link is invalid, expired or already used');
      const m = link.org_id
        ? await tx.trx('memberships as m').join('users as u', 'u.id', 'm.user_id').where({ 'u.org_id': link.org_id, 'u.account_id': link.account_id }).first('m.org_role', 'm.status')
        : undefined;
      if (link.org_id && (!m || m.org_role !== 'admin' || m.status !== 'active')) {
        throw new DomainError('expired', 'the sign-in link belongs to someone who is no longer an active admin', {}, {
          orgId: link.org_id,
          action: 'sso.break_glass.use',
          targetType: 'account',
          targetId: link.account_id,
        });
      }
      await audit({ ...tx, actor: { ...actor, id: link.account_id } }, { orgId: link.org_id, action: 'sso.break_glass.use', targetType: 'account', targetId: link.account_id, after: { linkId: link.id } });
      return { accountId: link.account_id, orgId: link.org_id };
    });
  } catch (err: unknown) {
    // An unknown, used or expired token is recorded too (no target: the token is secret).
    if (err instanceof DomainError && err.code === 'expired' && !err.refusal) {
      await writeAuditRow(db, actor, { orgId: null, action: 'sso.break_glass.use', targetType: 'login_link', targetId: null, outcome: 'refused', reason: err.message });
    }
    throw err;
  }
}
