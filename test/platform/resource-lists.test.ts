import { describe, expect, it } from 'vitest';
import { call, useCast, type Cast, type Harness } from '../api/harness.ts';
import { decisions, platformCredential } from './support.ts';

// Lists of projects and registries say no more than reading each would: a restricted one
// is named only to those the decision API lets see it (the same engine answers both).

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('project and registry lists', () => {
  it('lists name a restricted project or registry only to those the decision API lets see it', async () => {
    const plat = { apiKey: await platformCredential(h, c.org.slug) };
    const secretProject = (await call(h, plat, 'POST', `${base}/projects`, { name: 'Secret', team: c.teamA.id, visibility: 'restricted' })).body.id as string;
    const openProject = (await call(h, plat, 'POST', `${base}/projects`, { name: 'Shared', team: c.teamA.id, visibility: 'open' })).body.id as string;
    expect((await call(h, c.as.teamAdmin, 'PUT', `${base}/projects/${secretProject}/roles/${c.viewOnly.id}`, { role: 'member' })).status).toBe(200);
    const projects = async (who: Parameters<typeof call>[1]) => ((await call(h, who, 'GET', `${base}/projects`)).body.items as { id: string }[]).map((p) => p.id).sort();
    // max is in the team but holds no role in the restricted project: it is not named to him, and reading it is 403.
    expect(await projects(c.as.member)).toEqual([openProject]);
    expect((await call(h, c.as.member, 'GET', `${base}/projects/${secretProject}`)).status).toBe(403);
    for (const who of [c.as.viewOnly, c.as.teamAdmin, c.as.admin, c.as.adminKey, plat]) expect(await projects(who)).toEqual([openProject, secretProject].sort());

    const secretRegistry = (await call(h, plat, 'POST', `${base}/registries`, { name: 'Secret models', visibility: 'restricted' })).body.id as string;
    const sharedRegistry = (await call(h, plat, 'POST', `${base}/registries`, { name: 'Shared models' })).body.id as string;
    const registries = async (who: Parameters<typeof call>[1]) => ((await call(h, who, 'GET', `${base}/registries`)).body.items as { id: string }[]).map((g) => g.id).sort();
    expect(await registries(c.as.member)).toEqual([sharedRegistry]);
    expect(await registries(c.as.orgViewer)).toEqual([sharedRegistry]);
    const read = await call(h, c.as.member, 'GET', `${base}/registries/${secretRegistry}`);
    expect(read.status).toBe(403);
    expect(read.body.error.details.reason).toMatch(/restricted/);
    for (const who of [c.as.admin, c.as.adminKey, plat]) expect(await registries(who)).toEqual([secretRegistry, sharedRegistry].sort());
    // A role through the team opens it to the team's people, and to no one else.
    expect((await call(h, c.as.admin, 'POST', `${base}/registries/${secretRegistry}/roles`, { team: c.teamA.id, role: 'viewer' })).status).toBe(200);
    expect(await registries(c.as.member)).toEqual([secretRegistry, sharedRegistry].sort());
    expect((await call(h, c.as.member, 'GET', `${base}/registries/${secretRegistry}`)).status).toBe(200);
    expect(await registries(c.as.orgViewer)).toEqual([sharedRegistry]);
  });

  it('deleting a project: as the decision API answers "Delete projects" (team admins, project admins of a restricted project, organization admins, the platform)', async () => {
    const plat = { apiKey: await platformCredential(h, c.org.slug) };
    const make = async (name: string) => (await call(h, plat, 'POST', `${base}/projects`, { name, team: c.teamA.id, visibility: 'restricted' })).body.id as string;
    const p1 = await make('to-delete-1');
    expect((await call(h, c.as.teamAdmin, 'PUT', `${base}/projects/${p1}/roles/${c.viewOnly.id}`, { role: 'member' })).status).toBe(200);
    // A team member without a project role, a project member, another organization: refused, nothing deleted.
    expect((await call(h, c.as.member, 'DELETE', `${base}/projects/${p1}`)).status).toBe(403);
    expect((await call(h, c.as.viewOnly, 'DELETE', `${base}/projects/${p1}`)).status).toBe(403);
    expect((await call(h, c.as.otherKey, 'DELETE', `/api/v1/orgs/${c.other.slug}/projects/${p1}`)).status).toBe(404);
    expect(await h.t.db('projects').where({ id: p1 }).first()).toBeDefined();
    // The project's admin (a project role of a restricted project acts as that team role there).
    expect((await call(h, c.as.teamAdmin, 'PUT', `${base}/projects/${p1}/roles/${c.member.id}`, { role: 'admin' })).status).toBe(200);
    const asked = await decisions(h, plat.apiKey, [{ principal: { type: 'person', memberId: c.member.id }, permission: 'projects.delete', resource: { type: 'project', id: p1 } }]);
    expect(asked.body.results[0].decision).toBe('allow');
    expect((await call(h, c.as.member, 'DELETE', `${base}/projects/${p1}`)).status).toBe(204);
    expect(await h.t.db('projects').where({ id: p1 }).first()).toBeUndefined();
    expect(await h.t.db('audit_log').where({ org_id: c.org.id, action: 'project.delete', target_id: p1 }).first()).toBeDefined();
    for (const who of [c.as.teamAdmin, c.as.adminKey, plat]) {
      const p = await make(`to-delete-${Math.random().toString(36).slice(2, 8)}`);
      expect((await call(h, who, 'DELETE', `${base}/projects/${p}`)).status).toBe(204);
    }
  });

  it('a registry is renamed, changes visibility and is deleted by an organization admin; a project role is taken away', async () => {
    const plat = { apiKey: await platformCredential(h, c.org.slug) };
    const reg = (await call(h, plat, 'POST', `${base}/registries`, { name: 'Staging models' })).body.id as string;
    expect((await call(h, c.as.member, 'PATCH', `${base}/registries/${reg}`, { name: 'Mine now' })).status).toBe(403);
    const renamed = await call(h, c.as.admin, 'PATCH', `${base}/registries/${reg}`, { name: 'Release models', visibility: 'restricted' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: reg, name: 'Release models', visibility: 'restricted' });
    expect((await call(h, c.as.member, 'DELETE', `${base}/registries/${reg}`)).status).toBe(403);
    expect((await call(h, c.as.admin, 'DELETE', `${base}/registries/${reg}`)).status).toBe(204);
    expect(await h.t.db('registries').where({ id: reg }).first()).toBeUndefined();

    const p = (await call(h, plat, 'POST', `${base}/projects`, { name: 'role-project', team: c.teamA.id, visibility: 'restricted' })).body.id as string;
    expect((await call(h, c.as.teamAdmin, 'PUT', `${base}/projects/${p}/roles/${c.viewOnly.id}`, { role: 'member' })).status).toBe(200);
    const taken = await call(h, c.as.teamAdmin, 'DELETE', `${base}/projects/${p}/roles/${c.viewOnly.id}`);
    expect(taken.status).toBe(200);
    expect(taken.body.roles).toEqual([]);
    expect((await call(h, c.as.teamAdmin, 'DELETE', `${base}/projects/${p}/roles/${c.viewOnly.id}`)).status).toBe(404);
  });
});
