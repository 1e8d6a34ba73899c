// The one authorization question (SPEC §2): may this principal do this, here?
// Pure: everything it needs is in its arguments. Every path (SCIM, admin API, dashboard) asks it,
// so each refusal carries a reason naming the rule, fit for a 403 body or an audit entry.
import { findPermission } from './catalog.ts';
import type { Permission, PermissionId } from './catalog.ts';
import type { Decision, Grant, Principal, Scope, TeamMembership } from './types.ts';

const allow = (reason: string): Decision => ({ allowed: true, reason });
const deny = (reason: string): Decision => ({ allowed: false, reason });

function describe(p: Permission): string {
  return `${p.id} (${p.label})`;
}

export function can(principal: Principal, permission: PermissionId, scope: Scope): Decision {
  // Ids may come from storage (custom roles) or a request; an unknown one is refused, not thrown.
  const p = findPermission(permission);
  if (p === undefined) return deny(`unknown permission ${String(permission)}`);

  // seeds/000 System Settings: only the System Admin column is marked. Instance-level, so no
  // organization membership, status or seat is involved.
  if (p.systemAdminOnly) {
    return principal.systemAdmin
      ? allow(`system admin holds ${p.id}`)
      : deny(`${describe(p)} is reserved to system admins`);
  }

  const m = principal.org;
  if (m === undefined) return deny(`user is not a member of any organization, so holds no ${p.id}`);
  if (scope.orgId !== undefined && scope.orgId !== m.orgId) {
    return deny(`user is not a member of organization ${scope.orgId}`);
  }
  // seeds/001 statuses: a pending invitation has not been accepted; a deactivated user's access
  // was revoked (roles are kept for reactivation, SPEC §1, but grant nothing meanwhile).
  if (m.status !== 'active') return deny(`organization membership is ${m.status}, not active`);

  // Seats cap work in the Models product (SPEC §2; seeds/002 "Assign or update a user's
  // access"). Organization administration — including an organization admin administering
  // its teams — is the organization role's, never the seat's: seeds/002 "the organization
  // role controls administrative actions, the seat type controls what a user can do within
  // Models and Weave". Otherwise the sole admin who takes a viewer seat (or is given one by
  // SCIM, an invitation's default or the seat overflow) could never act again (issue 14).
  const administers = p.level === 'org' || (m.role === 'admin' && !p.modelsProduct);
  if (p.modelsProduct && m.modelsSeat === 'none') {
    return deny(`no Models seat: no access to Models, so no ${p.id}`);
  }
  if (p.writes && m.modelsSeat !== 'full' && !administers) {
    return deny(`${m.modelsSeat === 'viewer' ? 'viewer seat' : 'no seat'} cannot write (${p.id})`);
  }
  // seeds/002: an organization Viewer "only has read access to the organization and the
  // underlying teams that they are a member of", whatever their team role.
  if (p.writes && m.role === 'viewer') {
    return deny(`organization role viewer has read-only access, so no ${p.id}`);
  }

  if (p.level === 'org') {
    return p.orgRoles[m.role] === 'allow'
      ? allow(`organization role ${m.role} holds ${p.id}`)
      : deny(`organization role ${m.role} does not hold ${describe(p)}`);
  }
  return teamDecision(principal, m.role === 'admin', m.orgId, p, scope);
}

function teamDecision(
  principal: Principal,
  isOrgAdmin: boolean,
  orgId: string,
  p: Permission,
  scope: Scope,
): Decision {
  if (scope.teamId === undefined) return deny(`${p.id} applies within a team, and no team was given`);
  const membership = principal.teams.get(scope.teamId);

  // seeds/002, 004: organization admins manage every team of their organization, so they act as
  // team admin there. Without membership, only scope.orgId ties the team to their organization.
  if (isOrgAdmin && (membership !== undefined || scope.orgId === orgId)) {
    return evaluate(p.roles.admin, 'organization role admin (acting as team admin)', p, principal, scope);
  }
  if (membership === undefined) return deny(`user is not a member of team ${scope.teamId}`);
  const { grant, holder } = teamGrant(membership, p);
  // A team may let its members invite (SPEC §1 team settings): adding members then extends
  // to members — not to view-only members, who only have read access (seeds/003).
  if (p.id === 'team.members.add' && grant === 'deny' && membership.membersCanInvite && effectiveRole(membership) === 'member') {
    return allow(`${holder} may add members because the team lets members invite`);
  }
  return evaluate(grant, holder, p, principal, scope);
}

function effectiveRole(membership: TeamMembership): TeamMembership['role'] {
  if (membership.customRole === undefined) return membership.role;
  return membership.customRole.base === 'viewer' ? 'view-only' : 'member';
}

const RANK: Readonly<Record<Grant, number>> = { deny: 0, own: 1, allow: 2 };

function teamGrant(membership: TeamMembership, p: Permission): { grant: Grant; holder: string } {
  const custom = membership.customRole;
  if (custom === undefined) return { grant: p.roles[membership.role], holder: `team role ${membership.role}` };

  // seeds/002: a custom role = its base role (View-Only or Member) + extra permissions.
  const baseRole = custom.base === 'viewer' ? 'view-only' : 'member';
  const base = p.roles[baseRole];
  const holder = `custom role based on ${baseRole}`;
  // Only customizable permissions count; a stored role naming another (say, an org permission)
  // must not smuggle it in. An extra follows the Member ownership rule: a custom role holder is
  // not a team admin, so "own" rows stay own (SPEC §2: only a team admin acts on all).
  if (!p.customizable || !custom.permissions.includes(p.id)) return { grant: base, holder };
  const extra: Grant = p.roles.member === 'own' ? 'own' : 'allow';
  return RANK[extra] > RANK[base]
    ? { grant: extra, holder: `${holder}, which adds ${p.id},` }
    : { grant: base, holder };
}

function evaluate(grant: Grant, holder: string, p: Permission, principal: Principal, scope: Scope): Decision {
  if (grant === 'allow') return allow(`${holder} holds ${p.id}`);
  if (grant === 'deny') return deny(`${holder} does not hold ${describe(p)}`);
  // 'own': seeds/000 "team members can only edit their own reports", "... only delete experiments
  // they created"; seeds/000 role prose: "Only the member that creates the Run, or the team admin".
  const rule = `${holder} may ${p.ownRule ?? `use ${p.id} only on what they created`}`;
  if (scope.ownerId === undefined) return deny(`${rule}, and the creator is not known`);
  return scope.ownerId === principal.userId ? allow(`${rule}, and created this one`) : deny(rule);
}
