import type { OrganizationRow, TeamRow } from '../domain/types.ts';

// Wire shapes: camelCase, dates as ISO strings, nothing secret.

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
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
