import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { isUniqueViolation, notFound, uniqueness } from './errors.ts';

// The provisioning client's identifier of a membership or a team (SCIM externalId).
// Unique per organization (partial unique indexes in the directory migration).

export async function setMembershipExternalId(tx: Tx, orgId: string, userId: string, externalId: string | null): Promise<void> {
  const m = await tx.trx('memberships').where({ org_id: orgId, user_id: userId }).first('id', 'external_id');
  if (!m) throw notFound('member', userId);
  if (m.external_id === externalId) return;
  try {
    await tx.trx('memberships')
      .where({ id: m.id })
      .update({ external_id: externalId, version: tx.trx.raw('version + 1'), updated_at: tx.trx.fn.now() });
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`externalId ${externalId} already belongs to another member`, { attribute: 'externalId' });
    throw err;
  }
  await audit(tx, { orgId, action: 'member.external_id', targetType: 'user', targetId: userId, before: { externalId: m.external_id }, after: { externalId } });
}

export async function setTeamExternalId(tx: Tx, orgId: string, teamId: string, externalId: string | null): Promise<void> {
  const t = await tx.trx('teams').where({ org_id: orgId, id: teamId }).first('id', 'external_id');
  if (!t) throw notFound('team', teamId);
  if (t.external_id === externalId) return;
  try {
    await tx.trx('teams')
      .where({ id: teamId })
      .update({ external_id: externalId, version: tx.trx.raw('version + 1'), updated_at: tx.trx.fn.now() });
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniqueness(`externalId ${externalId} already belongs to another team`, { attribute: 'externalId' });
    throw err;
  }
  await audit(tx, { orgId, action: 'team.external_id', targetType: 'team', targetId: teamId, before: { externalId: t.external_id }, after: { externalId } });
}
