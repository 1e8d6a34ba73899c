import type { Db } from '../../db/connect.ts';
import { hashSecret, newId, newSecret } from '../../lib/secrets.ts';
import { audit, writeAuditRow } from '../audit.ts';
import { runInTransaction, type Actor, type Tx } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import { findUserByEmail } from '../people.ts';

// Break-glass: a single-use sign-in link for an organization admin, for when the IdP is
// down. Only the SHA-256 of the token is stored; the link expires after 15 minutes; its
// creation and its use are audited.

export const BREAK_GLASS_TTL_MS = 15 * 60_000;
export const BREAK_GLASS_PURPOSE = 'break_glass';

export interface BreakGlassLink {
  token: string;
  userId: string;
  expiresAt: Date;
}

export async function createBreakGlassLink(tx: Tx, input: { orgId: string; email: string; now: Date }): Promise<BreakGlassLink> {
  const user = await findUserByEmail(tx.trx, input.email);
  if (!user) throw notFound('user with email', input.email);
  const m = await tx.trx('memberships').where({ org_id: input.orgId, user_id: user.id }).first('org_role', 'status');
  if (!m || m.org_role !== 'admin' || m.status !== 'active') {
    throw new DomainError('forbidden', `${input.email} is not an active admin of this organization`, { email: input.email });
  }
  const token = newSecret('obg');
  const expiresAt = new Date(input.now.getTime() + BREAK_GLASS_TTL_MS);
  const id = newId();
  await tx.trx('login_links').insert({
    id,
    token_hash: hashSecret(token),
    user_id: user.id,
    org_id: input.orgId,
    purpose: BREAK_GLASS_PURPOSE,
    created_at: input.now,
    expires_at: expiresAt,
  });
  await audit(tx, { orgId: input.orgId, action: 'sso.break_glass.create', targetType: 'user', targetId: user.id, after: { linkId: id, expiresAt: expiresAt.toISOString() } });
  return { token, userId: user.id, expiresAt };
}

/**
 * Uses a link once: marks it used in the same statement that checks it is unused and
 * unexpired, so two concurrent uses cannot both succeed. The person must still be an
 * active admin of the organization. Returns the user id, or throws DomainError('expired').
 */
export async function consumeBreakGlassLink(db: Db, token: string, now: Date): Promise<{ userId: string; orgId: string | null }> {
  const actor: Actor = { type: 'sso', id: null, label: 'break-glass link' };
  const tokenHash = hashSecret(token);
  try {
    return await runInTransaction(db, actor, async (tx) => {
      const [link] = (await tx.trx('login_links')
        .where({ token_hash: tokenHash, purpose: BREAK_GLASS_PURPOSE })
        .whereNull('used_at')
        .where('expires_at', '>', now)
        .update({ used_at: now })
        .returning(['id', 'user_id', 'org_id'])) as { id: string; user_id: string; org_id: string | null }[];
      if (!link) throw new DomainError('expired', 'the sign-in link is invalid, expired or already used');
      const m = link.org_id
        ? await tx.trx('memberships').where({ org_id: link.org_id, user_id: link.user_id }).first('org_role', 'status')
        : undefined;
      if (link.org_id && (!m || m.org_role !== 'admin' || m.status !== 'active')) {
        throw new DomainError('expired', 'the sign-in link belongs to someone who is no longer an active admin', {}, {
          orgId: link.org_id,
          action: 'sso.break_glass.use',
          targetType: 'user',
          targetId: link.user_id,
        });
      }
      await audit({ ...tx, actor: { ...actor, id: link.user_id } }, { orgId: link.org_id, action: 'sso.break_glass.use', targetType: 'user', targetId: link.user_id, after: { linkId: link.id } });
      return { userId: link.user_id, orgId: link.org_id };
    });
  } catch (err: unknown) {
    // An unknown, used or expired token is recorded too (no target: the token is secret).
    if (err instanceof DomainError && err.code === 'expired' && !err.refusal) {
      await writeAuditRow(db, actor, { orgId: null, action: 'sso.break_glass.use', targetType: 'login_link', targetId: null, outcome: 'refused', reason: err.message });
    }
    throw err;
  }
}
