// Row shapes of the directory tables (snake_case, as stored).

export type OrgRole = 'admin' | 'member' | 'viewer';
export type TeamRole = 'admin' | 'member' | 'view-only';
export type Seat = 'full' | 'viewer' | 'none';
export type MembershipStatus = 'pending' | 'active' | 'deactivated';

export const ORG_ROLES: readonly OrgRole[] = ['admin', 'member', 'viewer'];
export const TEAM_ROLES: readonly TeamRole[] = ['admin', 'member', 'view-only'];
export const SEATS: readonly Seat[] = ['full', 'viewer', 'none'];

export interface OrganizationRow {
  id: string;
  name: string;
  slug: string;
  default_team_id: string | null;
  models_full_seats: number | null;
  models_viewer_seats: number | null;
  default_models_seat: Seat;
  seat_overflow: 'viewer' | 'refuse';
  billing_admin_user_id: string | null;
  auto_provisioning: boolean;
  domain_capture: boolean;
  team_join_at_signup: boolean;
  created_at: Date;
  updated_at: Date;
}

/** Who signs in (SPEC §1 "Account"): global, holds sessions and external identities. */
export interface AccountRow {
  id: string;
  email: string | null;
  email_key: string | null;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  system_admin: boolean;
  last_sign_in_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type LinkedBy = 'sign_in' | 'invitation' | 'managed_domain' | 'operator' | 'migration';

/**
 * A member record (SPEC §1; what SCIM calls a User): one organization's own view of a
 * person, read and written by that organization alone. `account_id` is the link.
 */
export type DomainStatus = 'pending' | 'verified';
export type DomainVerifiedBy = 'dns' | 'operator';

/** One organization's claim on a domain (migrations/20261207_006_domain_verification.ts). */
export interface DomainClaimRow {
  domain: string;
  org_id: string;
  status: DomainStatus;
  challenge_token: string;
  created_at: Date;
  verified_at: Date | null;
  verified_by: DomainVerifiedBy | null;
  expires_at: Date | null;
  last_checked_at: Date | null;
}

export interface UserRow {
  id: string;
  org_id: string;
  account_id: string | null;
  linked_at: Date | null;
  linked_by: LinkedBy | null;
  user_name: string;
  user_name_key: string;
  email: string | null;
  email_key: string | null;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  middle_name: string | null;
  honorific_prefix: string | null;
  honorific_suffix: string | null;
  nick_name: string | null;
  title: string | null;
  locale: string | null;
  timezone: string | null;
  preferred_language: string | null;
  profile: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface MembershipRow {
  id: string;
  org_id: string;
  user_id: string;
  status: MembershipStatus;
  org_role: OrgRole;
  custom_role_id: string | null;
  models_seat: Seat;
  weave_access: Seat;
  external_id: string | null;
  idp_owned: string[];
  version: number;
  days_active: number;
  last_active_at: Date | null;
  deactivated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface TeamRow {
  id: string;
  org_id: string;
  name: string;
  name_key: string;
  storage_type: string;
  privacy: 'private' | 'team' | 'public';
  members_can_invite: boolean;
  domain_matching: boolean;
  external_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface TeamMemberRow {
  team_id: string;
  user_id: string;
  role: TeamRole;
  custom_role_id: string | null;
  created_at: Date;
}

export interface CustomRoleRow {
  id: string;
  org_id: string;
  name: string;
  description: string;
  base: 'viewer' | 'member';
  permissions: string[];
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
}
