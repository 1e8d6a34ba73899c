import type { Knex } from 'knex';
import { DomainError } from './errors.ts';
import { lockOrganization } from './last-admin-guard.ts';
import type { OrganizationRow, Seat } from './types.ts';

// Seat license (SPEC §1): how many Models full and viewer seats an organization may
// assign. Pending invitations and active members hold their seat; deactivated members
// free it. An assignment beyond the license is refused; nobody already seated is evicted.

export async function seatsInUse(trx: Knex.Transaction, orgId: string, seat: Seat, excludeMembershipId?: string): Promise<number> {
  const row = await trx('memberships')
    .where({ org_id: orgId, models_seat: seat })
    .whereNot('status', 'deactivated')
    .modify((q) => {
      if (excludeMembershipId) q.whereNot('id', excludeMembershipId);
    })
    .count<{ n: number }>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

function limitOf(org: OrganizationRow, seat: Seat): number | null {
  if (seat === 'full') return org.models_full_seats;
  if (seat === 'viewer') return org.models_viewer_seats;
  return null;
}

export async function seatAvailable(trx: Knex.Transaction, org: OrganizationRow, seat: Seat, excludeMembershipId?: string): Promise<boolean> {
  const limit = limitOf(org, seat);
  if (limit === null) return true;
  // Serialise seat assignments within the organization so two concurrent assignments
  // cannot both take the last seat.
  await lockOrganization(trx, org.id);
  return (await seatsInUse(trx, org.id, seat, excludeMembershipId)) < limit;
}

/**
 * Returns the seat to assign. With overflow 'org-policy' a missing full seat falls back
 * to a viewer seat when the organization says so (seat_overflow = 'viewer').
 */
export async function allocateSeat(
  trx: Knex.Transaction,
  org: OrganizationRow,
  wanted: Seat,
  opts: { overflow: 'refuse' | 'org-policy'; excludeMembershipId?: string; targetId?: string | null; action: string },
): Promise<Seat> {
  if (await seatAvailable(trx, org, wanted, opts.excludeMembershipId)) return wanted;
  if (opts.overflow === 'org-policy' && wanted === 'full' && org.seat_overflow === 'viewer') {
    if (await seatAvailable(trx, org, 'viewer', opts.excludeMembershipId)) return 'viewer';
  }
  throw new DomainError(
    'seat_limit',
    `The organization's seat license has no ${wanted} seat left (${limitOf(org, wanted)} in the license).`,
    { seat: wanted, limit: limitOf(org, wanted) },
    { orgId: org.id, action: opts.action, targetType: 'membership', targetId: opts.targetId ?? null },
  );
}
