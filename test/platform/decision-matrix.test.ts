import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../src/domain/permissions/index.ts';
import { createRegistry, setRegistryRole, type RegistryRole } from '../../src/domain/registries.ts';
import type { ProjectVisibility } from '../../src/domain/projects.ts';
import { useCast, type CastRun } from '../api/harness.ts';
import { decisions, platformCredential, project, projectRole, run } from './support.ts';

// The decision API against the seed's permission tables (seeds/000, seeds/003), through
// HTTP: every product permission × every team role × every project visibility × owner or
// not. The tables are transcribed here, independently of the catalog, so a catalog or
// decision-engine change that disagrees with the seed fails this test.

let x: CastRun;
useCast((r) => (x = r));

type Cell = 'allow' | 'own' | 'deny';
/** [View-Only, Team Member, Team Admin], as the seed tables mark them. */
const SEED: Record<string, [Cell, Cell, Cell]> = {
  // Reports
  'reports.view': ['allow', 'allow', 'allow'],
  'reports.create': ['deny', 'allow', 'allow'],
  'reports.edit': ['deny', 'own', 'allow'],
  'reports.delete': ['deny', 'own', 'allow'],
  // Experiments (seeds/003 for "Edit panels" and View-Only's "Log experiments")
  'experiments.view': ['allow', 'allow', 'allow'],
  'experiments.workspaces.edit': ['deny', 'allow', 'allow'],
  'experiments.log': ['deny', 'allow', 'allow'],
  'experiments.delete': ['deny', 'own', 'allow'],
  'experiments.stop': ['deny', 'own', 'allow'],
  // Artifacts
  'artifacts.view': ['allow', 'allow', 'allow'],
  'artifacts.create': ['deny', 'allow', 'allow'],
  'artifacts.delete': ['deny', 'allow', 'allow'],
  'artifacts.metadata.edit': ['deny', 'allow', 'allow'],
  'artifacts.aliases.edit': ['deny', 'allow', 'allow'],
  'artifacts.aliases.delete': ['deny', 'allow', 'allow'],
  'artifacts.download': ['deny', 'allow', 'allow'],
  // seeds/004: "An organization admin, team admin, or the owner of a project"
  'projects.visibility.edit': ['deny', 'own', 'allow'],
  // seeds/000 Team roles, Admin: "full deletion permissions on runs, projects, artifacts".
  'projects.delete': ['deny', 'deny', 'allow'],
};
/** Model Registry [viewer, member, admin] (seeds/000; seeds/003 for the admin rows). */
const REGISTRY_SEED: Record<string, [Cell, Cell, Cell]> = {
  'registry.aliases.add': ['deny', 'allow', 'allow'],
  'registry.models.add': ['deny', 'allow', 'allow'],
  'registry.models.view': ['allow', 'allow', 'allow'],
  'registry.models.download': ['allow', 'allow', 'allow'],
  'registry.admins.manage': ['deny', 'deny', 'allow'],
  'registry.protectedAliases.manage': ['deny', 'deny', 'allow'],
};
const OPEN_CONTRIBUTIONS = new Set(['experiments.log', 'experiments.delete', 'experiments.stop', 'reports.create', 'reports.edit', 'reports.delete']);

const ROLES = ['view-only', 'member', 'admin'] as const;
const VISIBILITIES: ProjectVisibility[] = ['team', 'restricted', 'open', 'public'];
const cellOf = (c: Cell, owner: boolean) => (c === 'allow' || (c === 'own' && owner) ? 'allow' : 'deny');

describe('decision API: the seed tables', () => {
  it('covers every product permission of the catalog', () => {
    const product = PERMISSIONS.filter((p) => ['reports', 'experiments', 'artifacts', 'projects'].includes(p.area)).map((p) => p.id);
    expect(Object.keys(SEED).sort()).toEqual([...product].sort());
    expect(Object.keys(REGISTRY_SEED).sort()).toEqual(PERMISSIONS.filter((p) => p.area === 'registry').map((p) => p.id).sort());
  });

  it('every permission × team role × visibility × owner/non-owner, plus people outside the team, agrees with the seed', async () => {
    const { h, c } = x;
    const secret = await platformCredential(h, c.org.slug);
    const people = { 'view-only': c.viewOnly, member: c.member, admin: c.teamAdmin } as const;
    const checks: unknown[] = [];
    const expected: string[] = [];
    for (const vis of VISIBILITIES) {
      const p = await project(h, c.org.id, c.teamA.id, vis);
      // In a restricted project each team member is invited with the role they hold in the team.
      if (vis === 'restricted') for (const role of ['view-only', 'member'] as const) await projectRole(h, c.org.id, p.id, people[role].id, role);
      for (const [perm, cells] of Object.entries(SEED)) {
        for (const [i, role] of ROLES.entries()) {
          for (const owner of [true, false]) {
            const who = people[role];
            const ownerRef = owner ? { memberId: who.id } : { memberId: c.admin.id };
            // projects.visibility.edit is about the project itself: ask with the object carrying the owner too.
            checks.push({ principal: { type: 'person', memberId: who.id }, permission: perm, resource: { type: 'object', kind: 'run', project: p.id, owner: ownerRef } });
            expected.push(`${vis} ${perm} ${role} owner=${owner} → ${cellOf(cells[i]!, owner)}`);
          }
        }
        // Outside the project's team (an active member of the organization, team member of Language).
        for (const owner of [true, false]) {
          const ownerRef = owner ? { memberId: c.admin.id } : { memberId: c.member.id };
          checks.push({ principal: { type: 'person', memberId: c.admin.id }, permission: perm, resource: { type: 'object', kind: 'report', project: p.id, owner: ownerRef } });
          // c.admin is an organization admin: acts as team admin everywhere, restricted included (seeds/002, 004).
          expected.push(`${vis} ${perm} org-admin owner=${owner} → allow`);
        }
        const outsiderCell: Cell = vis === 'public' ? cells[0] : vis === 'open' ? (OPEN_CONTRIBUTIONS.has(perm) ? cells[1] : cells[0]) : 'deny';
        for (const owner of [true, false]) {
          // The org viewer (viewer seat, viewer role) is a team outsider and can never write.
          checks.push({ principal: { type: 'person', memberId: c.orgViewer.id }, permission: perm, resource: { type: 'object', kind: 'run', project: p.id, owner: owner ? { memberId: c.orgViewer.id } : { memberId: c.member.id } } });
          const writes = PERMISSIONS.find((q) => q.id === perm)!.writes;
          expected.push(`${vis} ${perm} outsider-viewer owner=${owner} → ${writes ? 'deny' : cellOf(outsiderCell, owner)}`);
        }
      }
    }
    expect(checks.length).toBeLessThanOrEqual(1000);
    const res = await decisions(h, secret, checks);
    expect(res.status).toBe(200);
    const got = expected.map((e, i) => `${e.split(' → ')[0]} → ${res.body.results[i].decision}`);
    expect(got).toEqual(expected);
    for (const r of res.body.results) expect(typeof r.reason).toBe('string');
  });

  it('registry roles answer the Model Registry table; restricted registries only to role holders', async () => {
    const { h, c } = x;
    const secret = await platformCredential(h, c.org.slug);
    const people = { viewer: c.viewOnly, member: c.member, admin: c.teamAdmin } as const;
    const checks: unknown[] = [];
    const expected: string[] = [];
    for (const visibility of ['organization', 'restricted'] as const) {
      const reg = await run(h, (tx) => createRegistry(tx, c.org.id, { name: `models-${visibility}`, visibility }));
      // The viewer and the admin hold their roles in person; the member through team Vision... as a team grant of 'member'.
      await run(h, (tx) => setRegistryRole(tx, c.org.id, reg.id, { memberId: c.viewOnly.id }, 'viewer'));
      await run(h, (tx) => setRegistryRole(tx, c.org.id, reg.id, { teamId: c.teamA.id }, 'viewer'));
      await run(h, (tx) => setRegistryRole(tx, c.org.id, reg.id, { memberId: c.member.id }, 'member'));
      await run(h, (tx) => setRegistryRole(tx, c.org.id, reg.id, { memberId: c.teamAdmin.id }, 'admin'));
      for (const [perm, cells] of Object.entries(REGISTRY_SEED)) {
        for (const [i, role] of (['viewer', 'member', 'admin'] as RegistryRole[]).entries()) {
          checks.push({ principal: { type: 'person', memberId: people[role].id }, permission: perm, resource: { type: 'registry', id: reg.id } });
          expected.push(`${visibility} ${perm} ${role} → ${cells[i]}`);
        }
        // Language's member (the org admin is in Language, but is admin; use the org viewer): no role.
        checks.push({ principal: { type: 'person', memberId: c.orgViewer.id }, permission: perm, resource: { type: 'registry', id: reg.id } });
        expected.push(`${visibility} ${perm} no-role-viewer → ${visibility === 'organization' ? cells[0] : 'deny'}`);
      }
    }
    const res = await decisions(h, secret, checks);
    expect(res.status).toBe(200);
    expect(expected.map((e, i) => `${e.split(' → ')[0]} → ${res.body.results[i].decision}`)).toEqual(expected);
  });

  it('seat caps: a member with a viewer seat reads but never writes', async () => {
    const { h, c, base } = x;
    const secret = await platformCredential(h, c.org.slug);
    const p = await project(h, c.org.id, c.teamA.id, 'team');
    const ask = () => decisions(h, secret, ['experiments.view', 'experiments.log'].map((permission) => ({ principal: { type: 'person', memberId: c.member.id }, permission, resource: { type: 'project', id: p.id } })));
    expect((await ask()).body.results.map((r: { decision: string }) => r.decision)).toEqual(['allow', 'allow']);
    const { call } = await import('../api/harness.ts');
    expect((await call(h, c.as.admin, 'PATCH', `${base}/users/${c.member.id}`, { modelsSeat: 'viewer' })).status).toBe(200);
    const after = await ask();
    expect(after.body.results.map((r: { decision: string }) => r.decision)).toEqual(['allow', 'deny']);
    expect(after.body.results[1].reason).toContain('viewer seat cannot write');
    await call(h, c.as.admin, 'PATCH', `${base}/users/${c.member.id}`, { modelsSeat: 'full' });
  });
});
