// Walks the seed permission tables row by row. The expected values are the seed's X marks,
// pasted below as markdown; nothing expected is read from the catalog, so a catalog or can()
// that drifts from the seeds fails here.
import { describe, expect, it } from 'vitest';
import {
  PERMISSIONS,
  WRITE_PERMISSIONS,
  can,
  getPermission,
  isPermissionId,
} from '../../src/domain/permissions/index.ts';
import type {
  HeldCustomRole,
  ModelsSeat,
  OrgRole,
  PermissionId,
  Principal,
  Scope,
  TeamRole,
} from '../../src/domain/permissions/index.ts';

// ---------------------------------------------------------------------------------------------
// Seed tables, copied verbatim from seeds/000_90a2140d103552a5.txt.
// ---------------------------------------------------------------------------------------------

const TEAM_SETTINGS = `
| Permissions         | View-Only | Team Member | Team Admin | 
| ------------------- | --------- | ----------- | ---------- |
| Add team members    |           |             |     X      |
| Remove team members |           |             |     X      |
| Manage team settings|           |             |     X      |
`;

const MODEL_REGISTRY = `
| Permissions                | View-Only | Team Member | Team Admin | 
| ---------------------------| --------- | ----------- | ---------- |
| Add aliases                |           | X           | X          |
| Add models to the registry |           | X           | X          |
| View models in the registry| X         | X           | X          |
|Download models             | X         | X           | X          |
`;

const REPORTS = `
| Permissions   | View-Only | Team Member                                     | Team Admin | 
| -----------   | --------- | ----------------------------------------------- | ---------- |
|View reports   | X         | X                                               | X          |
|Create reports |           | X                                               | X          |
|Edit reports   |           | X (team members can only edit their own reports)| X          |
|Delete reports |           | X (team members can only edit their own reports)| X          |
`;

const EXPERIMENTS = `
| Permissions | View-Only | Team Member | Team Admin | 
| ------------------------------------------------------------------------------------ | --------- | ----------- | ---------- |
| View experiment metadata (includes history metrics, system metrics, files, and logs) | X         | X           | X          |
| Log experiments                                                                      | X         | X           | X          |
| Delete experiments                                                                   |           | X (team members can only delete experiments they created) |  X  |
|Stop experiments                                                                      |           | X (team members can only stop experiments they created)   |  X  |
`;

const ARTIFACTS = `
| Permissions      | View-Only | Team Member | Team Admin | 
| ---------------- | --------- | ----------- | ---------- |
| View artifacts   | X         | X           | X          |
| Create artifacts |           | X           | X          |
| Delete artifacts |           | X           | X          |
| Edit metadata    |           | X           | X          |
| Edit aliases     |           | X           | X          |
| Delete aliases   |           | X           | X          |
| Download artifact|           | X           | X          |
`;

const SYSTEM_SETTINGS = `
| Permissions              | View-Only | Team Member | Team Admin | System Admin | 
| ------------------------ | --------- | ----------- | ---------- | ------------ |
| Configure system settings|           |             |            | X            |
| Create/delete teams      |           |             |            | X            |
| View activity dashboard  |           |             |            | X            |
`;

// Rows only seeds/003 has. Its text dump lost the empty cells and packs the X marks to the left,
// e.g. "Create reports | X | X | |" for Member+Admin; rows it shares with seeds/000 show the
// marks belong to the rightmost columns. Realigned here on that rule. 003's extra
// "Model Registry Admin" column is not a role orgbridge models, so it is dropped.
const SEED_003_ROWS = `
| Permissions                           | View-Only | Team Member | Team Admin |
| ------------------------------------- | --------- | ----------- | ---------- |
| Edit experiment panels and workspaces |           | X           | X          |
| Log experiments                       |           | X           | X          |
| Add/Remove Registry Admins            |           |             | X          |
| Add/Remove Protected Aliases          |           |             | X          |
`;

// seeds/000 marks View-Only on "Log experiments"; seeds/003 (the newer page) does not, and the
// role prose of both says View-Only members "can not create ... runs" and have no API key.
// The 003 row above is the one asserted; the 000 row is skipped.
const SUPERSEDED_000_ROWS = new Set(['Log experiments']);

// Team-level rules stated in seed prose rather than tables, written in the same shape.
// seeds/004: "the instance administrator or a team administrator can ... Assign or update a team
// member's role". seeds/001: "An organization admin, team admin, or the owner of a project can
// both set and edit a project's visibility."
const PROSE_TEAM_ROWS = `
| Permissions                           | View-Only | Team Member        | Team Admin |
| ------------------------------------- | --------- | ------------------ | ---------- |
| Assign or update a team member's role |           |                    | X          |
| Set and edit a project's visibility   |           | X (owner only)     | X          |
| Delete projects                       |           |                    | X          |
`;

// Organization roles, from seeds/001 ("As an admin, you can invite, remove, and change a user's
// role"), seeds/002 ("An organization member can't invite other users or manage existing users";
// "A viewer only has read access"; admins "create teams", "claim domain", "create custom roles",
// "assign the billing admin") and SPEC §2/§6 (SCIM tokens, audit log, CSV export).
const ORG_ROWS = `
| Permissions                                   | Admin | Member | Viewer |
| --------------------------------------------- | ----- | ------ | ------ |
| Invite users                                  | X     |        |        |
| Remove users                                  | X     |        |        |
| Assign or update a user's organization role   | X     |        |        |
| Assign or update a user's seat                | X     |        |        |
| Deactivate or reactivate users                | X     |        |        |
| View organization users and their activity    | X     |        |        |
| Export users as CSV                           | X     |        |        |
| Create teams                                  | X     |        |        |
| Delete teams                                  | X     |        |        |
| Claim email domains                           | X     |        |        |
| Create and manage custom roles                | X     |        |        |
| Assign the billing admin                      | X     |        |        |
| Manage SCIM tokens                            | X     |        |        |
| Manage service accounts                       | X     |        |        |
| View the audit log                            | X     |        |        |
| Manage organization settings                  | X     |        |        |
`;

// The test's own map from seed wording to the stable ids the rest of orgbridge uses.
const ID_OF_LABEL: Readonly<Record<string, PermissionId>> = {
  'Add team members': 'team.members.add',
  'Remove team members': 'team.members.remove',
  'Manage team settings': 'team.settings.manage',
  "Assign or update a team member's role": 'team.roles.assign',
  'Add aliases': 'registry.aliases.add',
  'Add models to the registry': 'registry.models.add',
  'View models in the registry': 'registry.models.view',
  'Download models': 'registry.models.download',
  'Add/Remove Registry Admins': 'registry.admins.manage',
  'Add/Remove Protected Aliases': 'registry.protectedAliases.manage',
  'View reports': 'reports.view',
  'Create reports': 'reports.create',
  'Edit reports': 'reports.edit',
  'Delete reports': 'reports.delete',
  'View experiment metadata (includes history metrics, system metrics, files, and logs)': 'experiments.view',
  'Edit experiment panels and workspaces': 'experiments.workspaces.edit',
  'Log experiments': 'experiments.log',
  'Delete experiments': 'experiments.delete',
  'Stop experiments': 'experiments.stop',
  'View artifacts': 'artifacts.view',
  'Create artifacts': 'artifacts.create',
  'Delete artifacts': 'artifacts.delete',
  'Edit metadata': 'artifacts.metadata.edit',
  'Edit aliases': 'artifacts.aliases.edit',
  'Delete aliases': 'artifacts.aliases.delete',
  'Download artifact': 'artifacts.download',
  "Set and edit a project's visibility": 'projects.visibility.edit',
  'Delete projects': 'projects.delete',
  'Configure system settings': 'system.settings.configure',
  'Create/delete teams': 'system.teams.manage',
  'View activity dashboard': 'system.activity.view',
  'Invite users': 'org.users.invite',
  'Remove users': 'org.users.remove',
  "Assign or update a user's organization role": 'org.users.changeRole',
  "Assign or update a user's seat": 'org.users.changeSeat',
  'Deactivate or reactivate users': 'org.users.changeStatus',
  'View organization users and their activity': 'org.users.view',
  'Export users as CSV': 'org.users.export',
  'Create teams': 'org.teams.create',
  'Delete teams': 'org.teams.delete',
  'Claim email domains': 'org.domains.claim',
  'Create and manage custom roles': 'org.customRoles.manage',
  'Assign the billing admin': 'org.billingAdmin.assign',
  'Manage SCIM tokens': 'org.scimTokens.manage',
  'Manage service accounts': 'org.serviceAccounts.manage',
  'View the audit log': 'org.auditLog.view',
  'Manage organization settings': 'org.settings.manage',
};

type Expect = 'allow' | 'own' | 'deny';

interface SeedRow {
  readonly label: string;
  readonly id: PermissionId;
  readonly cells: readonly Expect[];
}

// A cell is blank (no), "X" (yes) or "X (… only … their own / they created)" (yes, own only).
function cell(text: string): Expect {
  const t = text.trim();
  if (t === '') return 'deny';
  if (t === 'X') return 'allow';
  if (/^X \(.*only.*\)$/.test(t)) return 'own';
  throw new Error(`unreadable seed cell: ${JSON.stringify(t)}`);
}

function parseTable(markdown: string, columns: number): SeedRow[] {
  const lines = markdown.trim().split('\n').slice(2); // header and separator
  return lines.map((line) => {
    const parts = line.split('|').slice(1, -1); // outer pipes
    if (parts.length !== columns + 1) throw new Error(`row has ${parts.length} cells: ${line}`);
    const [first, ...rest] = parts;
    const label = (first ?? '').trim();
    const id = ID_OF_LABEL[label];
    if (id === undefined) throw new Error(`no id for seed label ${JSON.stringify(label)}`);
    return { label, id, cells: rest.map(cell) };
  });
}

const TEAM_ROLES: readonly TeamRole[] = ['view-only', 'member', 'admin'];
const ORG_ROLES: readonly OrgRole[] = ['admin', 'member', 'viewer'];

const SEED_TEAM_TABLES: ReadonlyArray<readonly [string, string]> = [
  ['000 Team Settings', TEAM_SETTINGS],
  ['000 Model Registry', MODEL_REGISTRY],
  ['000 Reports', REPORTS],
  ['000 Experiments', EXPERIMENTS],
  ['000 Artifacts', ARTIFACTS],
  ['003-only rows', SEED_003_ROWS],
  ['prose', PROSE_TEAM_ROWS],
];

const TEAM_ROWS = SEED_TEAM_TABLES.flatMap(([table, md]) =>
  parseTable(md, 3)
    .filter((r) => !(table.startsWith('000') && SUPERSEDED_000_ROWS.has(r.label)))
    .map((r) => ({ table, ...r })),
);
const SYSTEM_ROWS = parseTable(SYSTEM_SETTINGS, 4);
const ORG_TABLE_ROWS = parseTable(ORG_ROWS, 3);

// ---------------------------------------------------------------------------------------------
// Principals
// ---------------------------------------------------------------------------------------------

const ORG = 'org-1';
const TEAM = 'team-1';
const OTHER_TEAM = 'team-2';
const ME = 'user-me';
const SOMEONE_ELSE = 'user-other';

interface Opts {
  readonly orgRole?: OrgRole;
  readonly seat?: ModelsSeat;
  readonly status?: 'pending' | 'active' | 'deactivated';
  readonly teamRole?: TeamRole;
  readonly customRole?: HeldCustomRole;
  readonly systemAdmin?: boolean;
  readonly noOrg?: boolean;
}

function principal(o: Opts = {}): Principal {
  const teams = new Map<string, { role: TeamRole; customRole?: HeldCustomRole }>();
  if (o.teamRole !== undefined || o.customRole !== undefined) {
    const role = o.teamRole ?? (o.customRole?.base === 'viewer' ? 'view-only' : 'member');
    teams.set(TEAM, o.customRole === undefined ? { role } : { role, customRole: o.customRole });
  }
  const base = { userId: ME, systemAdmin: o.systemAdmin ?? false, teams };
  if (o.noOrg) return base;
  return {
    ...base,
    org: { orgId: ORG, role: o.orgRole ?? 'member', status: o.status ?? 'active', modelsSeat: o.seat ?? 'full' },
  };
}

const mine: Scope = { orgId: ORG, teamId: TEAM, ownerId: ME };
const theirs: Scope = { orgId: ORG, teamId: TEAM, ownerId: SOMEONE_ELSE };

// ---------------------------------------------------------------------------------------------
// Row-by-row
// ---------------------------------------------------------------------------------------------

describe('seed team tables, row by row', () => {
  const cases = TEAM_ROWS.flatMap((r) =>
    TEAM_ROLES.map((role, i) => ({ ...r, role, expected: r.cells[i] as Expect })),
  );

  it.each(cases)('$table | $label | $role → $expected', ({ id, label, role, expected }) => {
    // Org role member and a full seat, so only the team role decides.
    const who = principal({ teamRole: role });
    expect(getPermission(id).label).toBe(label);
    const onMine = can(who, id, mine);
    const onTheirs = can(who, id, theirs);
    if (expected === 'allow') {
      expect(onMine.allowed).toBe(true);
      expect(onTheirs.allowed).toBe(true);
      expect(onTheirs.reason).toContain(`team role ${role}`);
    } else if (expected === 'deny') {
      expect(onMine.allowed).toBe(false);
      expect(onTheirs.allowed).toBe(false);
      expect(onMine.reason).toContain(`team role ${role} does not hold ${id}`);
    } else {
      expect(onMine.allowed).toBe(true);
      expect(onTheirs.allowed).toBe(false);
      expect(onTheirs.reason).toMatch(new RegExp(`^team role ${role} may [a-z ]+ only [a-z ]+ they (created|own)$`));
      const unknownOwner = can(who, id, { orgId: ORG, teamId: TEAM });
      expect(unknownOwner.allowed).toBe(false);
      expect(unknownOwner.reason).toContain('creator is not known');
    }
  });

  it('gives the ownership reason in the seed wording for reports', () => {
    const d = can(principal({ teamRole: 'member' }), 'reports.delete', theirs);
    expect(d).toEqual({ allowed: false, reason: 'team role member may delete only reports they created' });
  });
});

describe('seed System Settings table, row by row', () => {
  const cases = SYSTEM_ROWS.flatMap((r) => [
    ...TEAM_ROLES.map((role, i) => ({ ...r, who: `team ${role}`, p: principal({ teamRole: role }), expected: r.cells[i] })),
    // Even an organization admin who is also team admin is not a system admin.
    { ...r, who: 'org admin + team admin', p: principal({ orgRole: 'admin', teamRole: 'admin' }), expected: r.cells[2] },
    { ...r, who: 'system admin', p: principal({ systemAdmin: true, noOrg: true }), expected: r.cells[3] },
  ]);

  it.each(cases)('$label | $who → $expected', ({ id, label, p, expected }) => {
    expect(getPermission(id).label).toBe(label);
    const d = can(p, id, mine);
    expect(d.allowed).toBe(expected === 'allow');
    expect(d.reason).toMatch(expected === 'allow' ? /^system admin holds / : /reserved to system admins/);
  });
});

describe('organization roles, row by row', () => {
  const cases = ORG_TABLE_ROWS.flatMap((r) =>
    ORG_ROLES.map((orgRole, i) => ({ ...r, orgRole, expected: r.cells[i] as Expect })),
  );

  it.each(cases)('$label | org $orgRole → $expected', ({ id, label, orgRole, expected }) => {
    expect(getPermission(id).label).toBe(label);
    // Team admin everywhere: a team role must never lend organization powers.
    const d = can(principal({ orgRole, teamRole: 'admin' }), id, { orgId: ORG });
    expect(d.allowed).toBe(expected === 'allow');
    expect(d.reason).toMatch(new RegExp(`organization role ${orgRole}`));
    if (expected === 'allow') expect(d.reason).toBe(`organization role ${orgRole} holds ${id}`);
  });

  it('every catalog permission is asserted by some row above', () => {
    const covered = new Set<string>([...TEAM_ROWS, ...SYSTEM_ROWS, ...ORG_TABLE_ROWS].map((r) => r.id));
    expect(PERMISSIONS.map((p) => p.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Rules across tables
// ---------------------------------------------------------------------------------------------

// Reads in the seeds: "View …", "Download …", plus reading the org dashboard, CSV, audit log.
const READS: readonly PermissionId[] = [
  'registry.models.view', 'registry.models.download', 'reports.view', 'experiments.view',
  'artifacts.view', 'artifacts.download', 'org.users.view', 'org.users.export', 'org.auditLog.view',
  'system.activity.view',
];

describe('catalog', () => {
  it('isPermissionId accepts catalog ids only', () => {
    expect(isPermissionId('reports.delete')).toBe(true);
    expect(isPermissionId('org.users.invite')).toBe(true);
    expect(isPermissionId('reports.nuke')).toBe(false);
    expect(isPermissionId('')).toBe(false);
    expect(isPermissionId('Delete reports')).toBe(false);
  });

  it('ids are unique and dotted', () => {
    const ids = PERMISSIONS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(\.[a-zA-Z]+)+$/);
  });

  it('marks every permission but the reads as a write', () => {
    for (const p of PERMISSIONS) expect([p.id, WRITE_PERMISSIONS.has(p.id)]).toEqual([p.id, !READS.includes(p.id)]);
  });
});

describe('seats cap Models work, not administration (SPEC §2; issue 14 item 1)', () => {
  const writes = PERMISSIONS.filter((p) => !READS.includes(p.id) && p.level !== 'system');
  const productWrites = writes.filter((p) => p.modelsProduct);
  const adminWrites = writes.filter((p) => !p.modelsProduct);

  it.each(productWrites.map((p) => ({ id: p.id })))('viewer seat: org admin + team admin cannot $id', ({ id }) => {
    const d = can(principal({ orgRole: 'admin', teamRole: 'admin', seat: 'viewer' }), id, mine);
    expect(d).toEqual({ allowed: false, reason: `viewer seat cannot write (${id})` });
  });

  // seeds/002: "the organization role controls administrative actions, the seat type
  // controls what a user can do within Models and Weave".
  it.each(adminWrites.flatMap((p) => (['viewer', 'none'] as const).map((seat) => ({ id: p.id, seat }))))(
    '$seat seat: an org admin still holds $id',
    ({ id, seat }) => {
      expect(can(principal({ orgRole: 'admin', teamRole: 'admin', seat }), id, mine).allowed).toBe(true);
      // Also in a team they are not in: organization admins administer every team.
      expect(can(principal({ orgRole: 'admin', seat }), id, { orgId: ORG, teamId: 'elsewhere' }).allowed).toBe(true);
    },
  );

  it('viewer seat: a team admin who is no organization admin does not administer the team', () => {
    const d = can(principal({ orgRole: 'member', teamRole: 'admin', seat: 'viewer' }), 'team.members.add', mine);
    expect(d).toEqual({ allowed: false, reason: 'viewer seat cannot write (team.members.add)' });
  });

  it('viewer seat still reads what the team role allows', () => {
    const who = principal({ teamRole: 'admin', seat: 'viewer' });
    expect(can(who, 'reports.view', theirs).allowed).toBe(true);
    expect(can(who, 'registry.models.download', theirs).allowed).toBe(true);
  });

  it('no seat: no access to Models at all, even reading', () => {
    const who = principal({ teamRole: 'admin', seat: 'none' });
    const d = can(who, 'reports.view', theirs);
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/no Models seat/);
    expect(can(who, 'team.members.add', theirs).reason).toBe('no seat cannot write (team.members.add)');
  });

  it('no seat: an org admin still reads the audit log (not a Models permission)', () => {
    expect(can(principal({ orgRole: 'admin', seat: 'none' }), 'org.auditLog.view', { orgId: ORG }).allowed).toBe(true);
  });

  it('organization role viewer is read-only even as team admin (seeds/002)', () => {
    const who = principal({ orgRole: 'viewer', teamRole: 'admin' });
    const d = can(who, 'reports.create', mine);
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/organization role viewer has read-only access/);
    expect(can(who, 'reports.view', theirs).allowed).toBe(true);
  });
});

describe('membership status', () => {
  it.each(['deactivated', 'pending'] as const)('%s membership denies everything, reads included', (status) => {
    const who = principal({ orgRole: 'admin', teamRole: 'admin', status });
    for (const id of ['reports.view', 'team.members.add', 'org.users.invite'] as const) {
      const d = can(who, id, mine);
      expect(d.allowed).toBe(false);
      expect(d.reason).toBe(`organization membership is ${status}, not active`);
    }
  });

  it('no organization at all denies team and org permissions', () => {
    const who = principal({ noOrg: true, teamRole: 'admin' });
    expect(can(who, 'reports.view', { teamId: TEAM }).allowed).toBe(false);
    expect(can(who, 'org.users.invite', {}).reason).toMatch(/not a member of any organization/);
  });
});

describe('custom roles (seeds/002: base role + extra permissions)', () => {
  const viewerPlusCreate = principal({ customRole: { base: 'viewer', permissions: ['artifacts.create'] } });
  const plainViewer = principal({ teamRole: 'view-only' });

  it('viewer + artifacts.create allows creating artifacts', () => {
    const d = can(viewerPlusCreate, 'artifacts.create', mine);
    expect(d.allowed).toBe(true);
    expect(d.reason).toContain('custom role based on view-only, which adds artifacts.create');
  });

  it('viewer + artifacts.create allows nothing else a View-Only member lacks', () => {
    for (const p of PERMISSIONS) {
      if (p.id === 'artifacts.create') continue;
      for (const scope of [mine, theirs]) {
        expect([p.id, can(viewerPlusCreate, p.id, scope).allowed]).toEqual([p.id, can(plainViewer, p.id, scope).allowed]);
      }
    }
    // and by the seed: View-Only cannot delete artifacts.
    expect(can(viewerPlusCreate, 'artifacts.delete', mine).allowed).toBe(false);
  });

  it('a viewer seat still caps the extra write', () => {
    const who = { ...viewerPlusCreate, org: { orgId: ORG, role: 'member' as const, status: 'active' as const, modelsSeat: 'viewer' as const } };
    expect(can(who, 'artifacts.create', mine).allowed).toBe(false);
  });

  it('member base keeps the member permissions', () => {
    const who = principal({ customRole: { base: 'member', permissions: [] } });
    expect(can(who, 'reports.create', mine).allowed).toBe(true);
    expect(can(who, 'reports.edit', theirs).allowed).toBe(false);
    expect(can(who, 'team.members.add', mine).allowed).toBe(false);
  });

  it('an extra ownership permission stays own-only: only a team admin acts on all (SPEC §2)', () => {
    const who = principal({ customRole: { base: 'viewer', permissions: ['reports.edit'] } });
    expect(can(who, 'reports.edit', mine).allowed).toBe(true);
    const d = can(who, 'reports.edit', theirs);
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/may edit only reports they created/);
  });

  it('may add "Add team members" (it makes no one more than a member); managing settings stays the admins\'', () => {
    const who = principal({ customRole: { base: 'member', permissions: ['team.members.add', 'team.settings.manage'] } });
    const d = can(who, 'team.members.add', mine);
    expect(d.allowed).toBe(true);
    expect(d.reason).toContain('custom role based on member, which adds team.members.add');
    // team.settings.manage also gates team service accounts (and their keys) and projects.
    expect(can(who, 'team.settings.manage', mine).allowed).toBe(false);
    // In its own team only.
    expect(can(who, 'team.members.add', { orgId: ORG, teamId: OTHER_TEAM }).allowed).toBe(false);
    // A viewer seat caps it like any write.
    expect(can(principal({ customRole: { base: 'member', permissions: ['team.members.add'] }, seat: 'viewer' }), 'team.members.add', mine).allowed).toBe(false);
  });

  it('non-customizable extras are ignored (removing members, assigning roles, org, system)', () => {
    const who = principal({
      customRole: { base: 'member', permissions: ['team.members.remove', 'team.roles.assign', 'org.users.invite', 'system.settings.configure'] },
    });
    expect(can(who, 'team.members.remove', mine).allowed).toBe(false);
    expect(can(who, 'team.roles.assign', mine).allowed).toBe(false);
    expect(can(who, 'org.users.invite', { orgId: ORG }).allowed).toBe(false);
    expect(can(who, 'system.settings.configure', {}).allowed).toBe(false);
  });
});

describe('organization admins administer every team of their organization', () => {
  const orgAdmin = principal({ orgRole: 'admin' }); // member of no team
  const elsewhere: Scope = { orgId: ORG, teamId: OTHER_TEAM, ownerId: SOMEONE_ELSE };

  it.each(['team.members.add', 'team.roles.assign', 'reports.delete', 'experiments.stop', 'registry.admins.manage'] as const)(
    'may %s in a team they are not in',
    (id) => {
      const d = can(orgAdmin, id, elsewhere);
      expect(d.allowed).toBe(true);
      expect(d.reason).toBe(`organization role admin (acting as team admin) holds ${id}`);
    },
  );

  it('acts as team admin over a view-only team membership too', () => {
    expect(can(principal({ orgRole: 'admin', teamRole: 'view-only' }), 'reports.delete', theirs).allowed).toBe(true);
  });

  it('needs the scope to tie the team to their organization', () => {
    const d = can(orgAdmin, 'team.members.add', { teamId: OTHER_TEAM });
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe(`user is not a member of team ${OTHER_TEAM}`);
  });

  it('has no power in another organization', () => {
    const d = can(orgAdmin, 'team.members.add', { orgId: 'org-2', teamId: OTHER_TEAM });
    expect(d).toEqual({ allowed: false, reason: 'user is not a member of organization org-2' });
    expect(can(orgAdmin, 'org.users.invite', { orgId: 'org-2' }).allowed).toBe(false);
  });

  it('an org member with no team role gets nothing in a team', () => {
    const d = can(principal({ orgRole: 'member' }), 'reports.view', elsewhere);
    expect(d).toEqual({ allowed: false, reason: `user is not a member of team ${OTHER_TEAM}` });
  });

  it('team permissions need a team in scope', () => {
    expect(can(orgAdmin, 'reports.view', { orgId: ORG }).reason).toMatch(/no team was given/);
  });
});

describe('system-only permissions', () => {
  it('system admin holds them without any organization', () => {
    const who = principal({ systemAdmin: true, noOrg: true });
    for (const id of ['system.settings.configure', 'system.teams.manage', 'system.activity.view'] as const) {
      expect(can(who, id, {}).allowed).toBe(true);
    }
  });

  it('being system admin lends no organization or team powers', () => {
    const who = principal({ systemAdmin: true, noOrg: true });
    expect(can(who, 'org.users.invite', { orgId: ORG }).allowed).toBe(false);
    expect(can(who, 'reports.view', mine).allowed).toBe(false);
  });
});

describe('reasons', () => {
  const who: readonly Principal[] = [
    principal({ teamRole: 'view-only' }),
    principal({ teamRole: 'member' }),
    principal({ orgRole: 'admin' }),
    principal({ orgRole: 'viewer', teamRole: 'member', seat: 'viewer' }),
    principal({ customRole: { base: 'viewer', permissions: ['reports.delete'] } }),
    principal({ status: 'deactivated', teamRole: 'admin' }),
    principal({ systemAdmin: true, noOrg: true }),
  ];

  it('every decision carries a meaningful reason', () => {
    for (const p of who) {
      for (const { id } of PERMISSIONS) {
        for (const scope of [mine, theirs, { orgId: ORG }]) {
          const { reason } = can(p, id, scope);
          expect(reason.length).toBeGreaterThan(15);
          expect(reason).not.toMatch(/undefined|null|\[object/);
          expect(reason).toMatch(/role|seat|member|admin|organization|team|creat|own/);
        }
      }
    }
  });

  it('an unknown id (e.g. from a stored custom role) is denied, not thrown', () => {
    const d = can(principal({ teamRole: 'admin' }), 'reports.nuke' as PermissionId, mine);
    expect(d).toEqual({ allowed: false, reason: 'unknown permission reports.nuke' });
  });
});

describe('team setting "members may invite"', () => {
  const base = {
    userId: 'u1',
    systemAdmin: false,
    org: { orgId: 'o1', role: 'member' as const, status: 'active' as const, modelsSeat: 'full' as const },
  };
  const scope = { orgId: 'o1', teamId: 't1' };
  it('lets members add members only when the team allows it', () => {
    const closed = can({ ...base, teams: new Map([['t1', { role: 'member' as const }]]) }, 'team.members.add', scope);
    expect(closed.allowed).toBe(false);
    const open = can({ ...base, teams: new Map([['t1', { role: 'member' as const, membersCanInvite: true }]]) }, 'team.members.add', scope);
    expect(open).toEqual({ allowed: true, reason: expect.stringContaining('team lets members invite') });
    // Removing stays with team admins.
    expect(can({ ...base, teams: new Map([['t1', { role: 'member' as const, membersCanInvite: true }]]) }, 'team.members.remove', scope).allowed).toBe(false);
  });
  it('never lets view-only members, viewer seats or viewer org roles invite', () => {
    const viewOnly = can({ ...base, teams: new Map([['t1', { role: 'view-only' as const, membersCanInvite: true }]]) }, 'team.members.add', scope);
    expect(viewOnly.allowed).toBe(false);
    const viewerCustom = can(
      { ...base, teams: new Map([['t1', { role: 'view-only' as const, customRole: { base: 'viewer' as const, permissions: [] }, membersCanInvite: true }]]) },
      'team.members.add',
      scope,
    );
    expect(viewerCustom.allowed).toBe(false);
    const viewerSeat = can({ ...base, org: { ...base.org, modelsSeat: 'viewer' as const }, teams: new Map([['t1', { role: 'member' as const, membersCanInvite: true }]]) }, 'team.members.add', scope);
    expect(viewerSeat.allowed).toBe(false);
  });
});
