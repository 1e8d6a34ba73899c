// Types shared by the permission catalog (catalog.ts) and the decision function (can.ts).
// The only import is type-only (erased at runtime), so the catalog may import from here too.
import type { PermissionId } from './catalog.ts';

/** Built-in team roles (seeds 000/003: "View-Only | Team Member | Team Admin"). */
export type TeamRole = 'view-only' | 'member' | 'admin';

/** Organization roles (seed 002 "Assign or update a user's role"). */
export type OrgRole = 'admin' | 'member' | 'viewer';

/** Membership status in an organization (seed 001 "View the status of a user"; SPEC §1). */
export type MembershipStatus = 'pending' | 'active' | 'deactivated';

/** Models seat (seed 002 "Assign or update a user's access"; SPEC §1). */
export type ModelsSeat = 'full' | 'viewer' | 'none';

/** What a custom role may be based on (seed 002: "inheriting from the View-Only or Member roles"). */
export type CustomRoleBase = 'viewer' | 'member';

/**
 * How a role holds a permission:
 * - 'allow': on every resource of the scope;
 * - 'own':   only on resources the principal created (seed 000 Reports/Experiments rows:
 *            "team members can only edit their own reports", "... only delete experiments they created");
 * - 'deny':  not at all.
 */
export type Grant = 'allow' | 'own' | 'deny';

/** Where a permission applies, which decides which role answers for it. */
export type PermissionLevel = 'team' | 'org' | 'system';

export interface Decision {
  readonly allowed: boolean;
  /** Human-readable, names the rule that decided (shown in audit log entries and 403 bodies). */
  readonly reason: string;
}

/** A custom role as held in a team (seed 002: base role + extra permissions from the catalog). */
export interface HeldCustomRole {
  readonly base: CustomRoleBase;
  readonly permissions: readonly PermissionId[];
}

export interface TeamMembership {
  /** Built-in role. When customRole is set it decides instead (this is then its base). */
  readonly role: TeamRole;
  readonly customRole?: HeldCustomRole;
  /** The team's setting "members may invite" (SPEC §1; seeds/004 team settings). */
  readonly membersCanInvite?: boolean;
}

export interface OrgMembership {
  readonly orgId: string;
  readonly role: OrgRole;
  readonly status: MembershipStatus;
  readonly modelsSeat: ModelsSeat;
}

/** Who is asking. Built by the caller from the directory; can() never reads storage. */
export interface Principal {
  /** The account (who signs in; owner of runs and reports), or `api_key:<id>` for an organization key. */
  readonly userId: string;
  /** The account's member record in `org`, when it has one. */
  readonly memberId?: string;
  /** Instance-level (SPEC §1); independent of any organization membership. */
  readonly systemAdmin: boolean;
  readonly org?: OrgMembership;
  /** The principal's teams in `org`, by team id. */
  readonly teams: ReadonlyMap<string, TeamMembership>;
}

/** What is acted on. Omitted fields mean "not applicable / unknown"; unknown never widens access. */
export interface Scope {
  readonly orgId?: string;
  readonly teamId?: string;
  /** Creator of the run, report, experiment or project, for 'own' grants. */
  readonly ownerId?: string;
}
