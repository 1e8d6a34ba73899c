// The permission catalog, as data (SPEC §2: "The permission catalog is data, not code paths").
//
// Every row of every permission table in seeds/000 (Team Settings, Model Registry, Reports,
// Experiments, Artifacts, System Settings) is one entry here, with the seed's wording as label.
// Rows that only seeds/003 has (the newer copy of the same page) are included and marked so.
// Organization-level permissions come from the prose of seeds/001, 002 and 004 and SPEC §2/§6.
//
// Ids are dotted and stable: they are stored in custom roles and written to the audit log,
// so never rename one; add a new id instead.
import type { Grant, OrgRole, PermissionLevel, TeamRole } from './types.ts';

export type PermissionArea =
  | 'team'
  | 'registry'
  | 'reports'
  | 'experiments'
  | 'artifacts'
  | 'projects'
  | 'org'
  | 'system';

export interface PermissionDef<I extends string = string> {
  readonly id: I;
  readonly area: PermissionArea;
  readonly level: PermissionLevel;
  /** Wording of the seed row (or of the seed sentence for prose-derived permissions). */
  readonly label: string;
  /** Team roles holding it (team-level permissions); all 'deny' elsewhere. */
  readonly roles: Readonly<Record<TeamRole, Grant>>;
  /** Organization roles holding it (org-level permissions); all 'deny' elsewhere. */
  readonly orgRoles: Readonly<Record<OrgRole, Grant>>;
  /** Only a system (instance) admin holds it: seed 000 "System Settings (W&B Server Only)". */
  readonly systemAdminOnly: boolean;
  /** Changes state. A viewer seat (or no seat) can never write: SPEC §2. */
  readonly writes: boolean;
  /** Part of the Models product, so a user with Models seat 'none' has no access (seed 002). */
  readonly modelsProduct: boolean;
  /** May be added to a custom role (seed 002 "Add and manage custom roles"). */
  readonly customizable: boolean;
  /** For 'own' grants: the rule in words, e.g. "delete only reports they created". */
  readonly ownRule?: string;
  /** Where the entry comes from, for reviewers. */
  readonly source: string;
}

const NONE_TEAM: Readonly<Record<TeamRole, Grant>> = { 'view-only': 'deny', member: 'deny', admin: 'deny' };
const NONE_ORG: Readonly<Record<OrgRole, Grant>> = { admin: 'deny', member: 'deny', viewer: 'deny' };
const ORG_ADMIN_ONLY: Readonly<Record<OrgRole, Grant>> = { admin: 'allow', member: 'deny', viewer: 'deny' };

/** Cell values of a seed table row, in column order View-Only | Team Member | Team Admin. */
type Row = readonly [viewOnly: Grant, member: Grant, admin: Grant];

interface TeamOpts {
  readonly writes: boolean;
  readonly source: string;
  readonly ownRule?: string;
  /** Defaults to true for Models product permissions: custom roles exist to extend them. */
  readonly customizable?: boolean;
}

// Team-level product permission (Model Registry, Reports, Experiments, Artifacts, projects).
function product<I extends string>(
  id: I,
  area: PermissionArea,
  label: string,
  [viewOnly, member, admin]: Row,
  opts: TeamOpts,
): PermissionDef<I> {
  const def: PermissionDef<I> = {
    id,
    area,
    level: 'team',
    label,
    roles: { 'view-only': viewOnly, member, admin },
    orgRoles: NONE_ORG,
    systemAdminOnly: false,
    writes: opts.writes,
    modelsProduct: true,
    customizable: opts.customizable ?? true,
    source: opts.source,
  };
  return opts.ownRule === undefined ? def : { ...def, ownRule: opts.ownRule };
}

// Team administration (seed 000 "Team Settings"): team admins only, not part of the Models
// product (a team admin without a Models seat still administers membership; writes are
// capped by the seat all the same). A custom role may add "Add team members" (seed 001:
// custom roles inherit from View-Only or Member "and add additional permissions"; adding
// with another role needs team.roles.assign, issue 14, so it makes no one more than a
// member). The others stay the Admin role's: removing members or assigning roles would let
// a custom role unseat or make team admins, and team.settings.manage also gates team
// service accounts and their keys, and projects.
function teamAdmin<I extends string>(id: I, label: string, source: string, customizable = false): PermissionDef<I> {
  return {
    id,
    area: 'team',
    level: 'team',
    label,
    roles: { 'view-only': 'deny', member: 'deny', admin: 'allow' },
    orgRoles: NONE_ORG,
    systemAdminOnly: false,
    writes: true,
    modelsProduct: false,
    customizable,
    source,
  };
}

// Organization administration: held by the organization role, never by team roles, never
// customizable (custom roles are assigned at team level: seed 002).
function org<I extends string>(id: I, label: string, writes: boolean, source: string): PermissionDef<I> {
  return {
    id,
    area: 'org',
    level: 'org',
    label,
    roles: NONE_TEAM,
    orgRoles: ORG_ADMIN_ONLY,
    systemAdminOnly: false,
    writes,
    modelsProduct: false,
    customizable: false,
    source,
  };
}

// Instance-level permission (seed 000 "System Settings (W&B Server Only)": System Admin column only).
function system<I extends string>(id: I, label: string, writes: boolean): PermissionDef<I> {
  return {
    id,
    area: 'system',
    level: 'system',
    label,
    roles: NONE_TEAM,
    orgRoles: NONE_ORG,
    systemAdminOnly: true,
    writes,
    modelsProduct: false,
    customizable: false,
    source: 'seeds/000 System Settings',
  };
}

const S000 = 'seeds/000';
const S003 = 'seeds/003 (row absent from seeds/000)';

export const PERMISSIONS = [
  // --- seeds/000 Team Settings --------------------------------------------------------
  teamAdmin('team.members.add', 'Add team members', `${S000} Team Settings`, true),
  teamAdmin('team.members.remove', 'Remove team members', `${S000} Team Settings`),
  teamAdmin('team.settings.manage', 'Manage team settings', `${S000} Team Settings`),
  // seeds/004: "the instance administrator or a team administrator can ... Assign or update a
  // team member's role"; seeds/002: "Team admins can assign a custom role to a team member".
  teamAdmin('team.roles.assign', "Assign or update a team member's role", 'seeds/002, seeds/004'),

  // --- seeds/000 Model Registry -------------------------------------------------------
  product('registry.aliases.add', 'registry', 'Add aliases', ['deny', 'allow', 'allow'], {
    writes: true, source: `${S000} Model Registry`,
  }),
  product('registry.models.add', 'registry', 'Add models to the registry', ['deny', 'allow', 'allow'], {
    writes: true, source: `${S000} Model Registry`,
  }),
  product('registry.models.view', 'registry', 'View models in the registry', ['allow', 'allow', 'allow'], {
    writes: false, source: `${S000} Model Registry`,
  }),
  product('registry.models.download', 'registry', 'Download models', ['allow', 'allow', 'allow'], {
    writes: false, source: `${S000} Model Registry`,
  }),
  // seeds/003 adds a "Model Registry Admin" column, a role orgbridge does not model (SPEC §1
  // lists admin/member/view-only/custom); the Team Admin column is what remains. Both rows are
  // registry administration, so not customizable.
  product('registry.admins.manage', 'registry', 'Add/Remove Registry Admins', ['deny', 'deny', 'allow'], {
    writes: true, source: `${S003} Model Registry`, customizable: false,
  }),
  product('registry.protectedAliases.manage', 'registry', 'Add/Remove Protected Aliases', ['deny', 'deny', 'allow'], {
    writes: true, source: `${S003} Model Registry`, customizable: false,
  }),

  // --- seeds/000 Reports --------------------------------------------------------------
  product('reports.view', 'reports', 'View reports', ['allow', 'allow', 'allow'], {
    writes: false, source: `${S000} Reports`,
  }),
  product('reports.create', 'reports', 'Create reports', ['deny', 'allow', 'allow'], {
    writes: true, source: `${S000} Reports`,
  }),
  product('reports.edit', 'reports', 'Edit reports', ['deny', 'own', 'allow'], {
    writes: true, source: `${S000} Reports`, ownRule: 'edit only reports they created',
  }),
  // The seed's note on this row says "only edit their own reports" (copied from the row
  // above); SPEC §2 states the intent: members edit/delete only what they created.
  product('reports.delete', 'reports', 'Delete reports', ['deny', 'own', 'allow'], {
    writes: true, source: `${S000} Reports`, ownRule: 'delete only reports they created',
  }),

  // --- seeds/000 Experiments ----------------------------------------------------------
  product(
    'experiments.view',
    'experiments',
    'View experiment metadata (includes history metrics, system metrics, files, and logs)',
    ['allow', 'allow', 'allow'],
    { writes: false, source: `${S000} Experiments` },
  ),
  product('experiments.workspaces.edit', 'experiments', 'Edit experiment panels and workspaces', ['deny', 'allow', 'allow'], {
    writes: true, source: `${S003} Experiments`,
  }),
  // seeds/000 marks View-Only on this row; seeds/003 (the newer page) does not, and both
  // seeds' role prose says View-Only members "can not create ... runs" and "do not have an
  // API key". Logging writes, so a viewer could not do it anyway (SPEC §2). We follow 003.
  product('experiments.log', 'experiments', 'Log experiments', ['deny', 'allow', 'allow'], {
    writes: true, source: 'seeds/003 Experiments (overrides the View-Only mark in seeds/000)',
  }),
  product('experiments.delete', 'experiments', 'Delete experiments', ['deny', 'own', 'allow'], {
    writes: true, source: `${S000} Experiments`, ownRule: 'delete only experiments they created',
  }),
  product('experiments.stop', 'experiments', 'Stop experiments', ['deny', 'own', 'allow'], {
    writes: true, source: `${S000} Experiments`, ownRule: 'stop only experiments they created',
  }),

  // --- seeds/000 Artifacts ------------------------------------------------------------
  product('artifacts.view', 'artifacts', 'View artifacts', ['allow', 'allow', 'allow'], {
    writes: false, source: `${S000} Artifacts`,
  }),
  product('artifacts.create', 'artifacts', 'Create artifacts', ['deny', 'allow', 'allow'], {
    writes: true, source: `${S000} Artifacts`,
  }),
  product('artifacts.delete', 'artifacts', 'Delete artifacts', ['deny', 'allow', 'allow'], {
    writes: true, source: `${S000} Artifacts`,
  }),
  product('artifacts.metadata.edit', 'artifacts', 'Edit metadata', ['deny', 'allow', 'allow'], {
    writes: true, source: `${S000} Artifacts`,
  }),
  product('artifacts.aliases.edit', 'artifacts', 'Edit aliases', ['deny', 'allow', 'allow'], {
    writes: true, source: `${S000} Artifacts`,
  }),
  product('artifacts.aliases.delete', 'artifacts', 'Delete aliases', ['deny', 'allow', 'allow'], {
    writes: true, source: `${S000} Artifacts`,
  }),
  // A read (nothing changes), yet View-Only lacks it in both seeds: kept as the seeds say.
  product('artifacts.download', 'artifacts', 'Download artifact', ['deny', 'allow', 'allow'], {
    writes: false, source: `${S000} Artifacts`,
  }),

  // --- seeds/001 "Limit visibility to specific projects" ------------------------------
  // "An organization admin, team admin, or the owner of a project can both set and edit a
  // project's visibility." View-Only cannot create projects, so owns none.
  product('projects.visibility.edit', 'projects', "Set and edit a project's visibility", ['deny', 'own', 'allow'], {
    writes: true, source: 'seeds/001 Limit visibility to specific projects',
    ownRule: 'set the visibility only of projects they own',
  }),
  // seeds/000 and 001, Admin role: "full deletion permissions. This includes ... deleting
  // runs, projects, artifacts, and sweeps"; members may delete only runs they created. The
  // seed product's custom roles name it `project:delete` (seed-names.ts).
  product('projects.delete', 'projects', 'Delete projects', ['deny', 'deny', 'allow'], {
    writes: true, source: 'seeds/000 Team roles (Admin: "full deletion permissions")',
  }),

  // --- Organization administration (seeds/001, 002, 004; SPEC §2, §6) -----------------
  // seeds/002: "An organization member can't invite other users or manage existing users";
  // "A viewer only has read access to the organization". Hence admin-only throughout.
  org('org.users.invite', 'Invite users', true, 'seeds/001 Invite users, seeds/002'),
  org('org.users.remove', 'Remove users', true, 'seeds/001 Remove a user, seeds/002'),
  org('org.users.changeRole', "Assign or update a user's organization role", true, 'seeds/001, seeds/002'),
  org('org.users.changeSeat', "Assign or update a user's seat", true, "seeds/002 Assign or update a user's access"),
  org('org.users.changeStatus', 'Deactivate or reactivate users', true, 'seeds/001 View the status of a user'),
  org('org.users.view', 'View organization users and their activity', false, 'seeds/001 View organization usage'),
  org('org.users.export', 'Export users as CSV', false, 'seeds/001 View and share how your organization uses W&B'),
  org('org.teams.create', 'Create teams', true, 'seeds/000 "Only the admin of an organization can create a new team"'),
  org('org.teams.delete', 'Delete teams', true, 'SPEC §6 teams (create, delete)'),
  org('org.domains.claim', 'Claim email domains', true, 'seeds/002 Domain capture'),
  org('org.customRoles.manage', 'Create and manage custom roles', true, 'seeds/002 Add and manage custom roles'),
  org('org.billingAdmin.assign', 'Assign the billing admin', true, 'seeds/002 Assign the billing admin'),
  org('org.scimTokens.manage', 'Manage SCIM tokens', true, 'SPEC §4, §6'),
  org('org.serviceAccounts.manage', 'Manage service accounts', true, 'SPEC §1 Service account'),
  org('org.auditLog.view', 'View the audit log', false, 'SPEC §6'),
  org('org.settings.manage', 'Manage organization settings', true, 'seeds/002 Change the name of your organization, Auto provision users'),

  // --- seeds/000 System Settings (W&B Server Only) ------------------------------------
  system('system.settings.configure', 'Configure system settings', true),
  system('system.teams.manage', 'Create/delete teams', true),
  system('system.activity.view', 'View activity dashboard', false),
] as const satisfies readonly PermissionDef[];

export type PermissionId = (typeof PERMISSIONS)[number]['id'];
export type Permission = PermissionDef<PermissionId>;

const BY_ID: ReadonlyMap<string, Permission> = new Map(PERMISSIONS.map((p) => [p.id, p]));

export function isPermissionId(s: string): s is PermissionId {
  return BY_ID.has(s);
}

/** Lookup for ids of unknown provenance (stored custom roles, request bodies). */
export function findPermission(id: string): Permission | undefined {
  return BY_ID.get(id);
}

export function getPermission(id: PermissionId): Permission {
  const p = BY_ID.get(id);
  // Unreachable for a well-typed caller; guards against ids arriving unchecked from storage.
  if (p === undefined) throw new Error(`unknown permission ${id}`);
  return p;
}

export const WRITE_PERMISSIONS: ReadonlySet<PermissionId> = new Set(
  PERMISSIONS.filter((p) => p.writes).map((p) => p.id),
);

export const CUSTOMIZABLE_PERMISSIONS: ReadonlySet<PermissionId> = new Set(
  PERMISSIONS.filter((p) => p.customizable).map((p) => p.id),
);
