import { describe, expect, it } from 'vitest';
import { call, useCast, type Cast, type Harness } from '../api/harness.ts';
import { platformCredential } from './support.ts';

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
});
