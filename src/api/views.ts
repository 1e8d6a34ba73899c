import { iso } from '../lib/iso.ts';
import { challengeName, challengeValue } from '../domain/domain-verification.ts';
import type { DomainClaimRow, OrganizationRow, TeamRow } from '../domain/types.ts';

// Wire shapes: camelCase, dates as ISO strings, nothing secret.

export { iso };

export function orgView(o: OrganizationRow) {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    defaultTeamId: o.default_team_id,
    billingAdminUserId: o.billing_admin_user_id,
    settings: {
      autoProvisioning: o.auto_provisioning,
      domainCapture: o.domain_capture,
      teamJoinAtSignup: o.team_join_at_signup,
      defaultModelsSeat: o.default_models_seat,
      seatOverflow: o.seat_overflow,
    },
    seatLicense: { fullSeats: o.models_full_seats, viewerSeats: o.models_viewer_seats },
    createdAt: iso(o.created_at),
  };
}

export function teamView(t: TeamRow) {
  return {
    id: t.id,
    name: t.name,
    storageType: t.storage_type,
    settings: { privacy: t.privacy, membersCanInvite: t.members_can_invite, domainMatching: t.domain_matching },
    createdAt: iso(t.created_at),
  };
}

/** A claimed domain; while pending, the TXT record that verifies it (not a secret: it is published in DNS). */
export function domainView(d: DomainClaimRow) {
  return {
    domain: d.domain,
    status: d.status,
    createdAt: iso(d.created_at),
    expiresAt: iso(d.expires_at),
    verifiedAt: iso(d.verified_at),
    verifiedBy: d.verified_by,
    lastCheckedAt: iso(d.last_checked_at),
    challenge: d.status === 'pending' ? { type: 'TXT' as const, name: challengeName(d.domain), value: challengeValue(d.challenge_token) } : null,
  };
}
