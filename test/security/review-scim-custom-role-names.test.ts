import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { setTeamRole } from '../../src/domain/teams.ts';
import { makeTeam, testActor } from '../support/factories.ts';
import { ORGBRIDGE_URN, patch, startScim, USER_URN, type ScimClient } from '../scim/support.ts';

// A custom role could be named like a built-in team role ("Admin"). SCIM shows a
// custom-role holder's place as {team, role: <the custom role's name>}, and reads a role
// name as the built-in one first: the next teamRoles write that echoed the place back
// (an IdP adding the person to another team, a PUT of what GET showed) made the holder
// of "Admin" (based on viewer) a real team admin. A custom role's name may no longer be a
// built-in role's, and a place echoed back with its custom role's name keeps that role.

const ROLE_URN = 'urn:ietf:params:scim:schemas:core:2.0:Role';
let s: ScimClient;
beforeAll(async () => { s = await startScim(); });
afterAll(async () => { await s?.close(); });

const placeOf = async (teamId: string, userId: string) =>
  s.db('team_members').where({ team_id: teamId, user_id: userId }).first('role', 'custom_role_id');

describe('custom roles named like built-in roles', () => {
  it('are refused (POST, PUT, PATCH /Roles): 400 invalidValue', async () => {
    for (const name of ['Admin', 'member', ' VIEWER ', 'View-Only']) {
      const r = await s.call('POST', '/scim/v2/Roles', { schemas: [ROLE_URN], name, inheritedFrom: 'viewer' });
      expect([r.status, r.body.scimType], name).toEqual([400, 'invalidValue']);
    }
    const ok = await s.call('POST', '/scim/v2/Roles', { schemas: [ROLE_URN], name: 'Auditor', inheritedFrom: 'viewer' });
    expect(ok.status).toBe(201);
    const rename = await s.call('PATCH', `/scim/v2/Roles/${ok.body.id}`, patch({ op: 'replace', path: 'name', value: 'ADMIN' }));
    expect([rename.status, rename.body.scimType]).toEqual([400, 'invalidValue']);
    const put = await s.call('PUT', `/scim/v2/Roles/${ok.body.id}`, { schemas: [ROLE_URN], name: 'admin', inheritedFrom: 'viewer' });
    expect([put.status, put.body.scimType]).toEqual([400, 'invalidValue']);
    expect((await s.db('custom_roles').where({ id: ok.body.id }).first()).name).toBe('Auditor');
  });

  it('one made before the rule: a teamRoles write echoing its holder\u2019s place does not make them team admin', async () => {
    // As a database written before the rule may hold it.
    const [role] = await s.db('custom_roles')
      .insert({ id: crypto.randomUUID(), org_id: s.org.id, name: 'Admin', description: '', base: 'viewer', permissions: JSON.stringify([]) })
      .returning('*');
    const research = await makeTeam(s.db, s.org.id, 'research');
    await makeTeam(s.db, s.org.id, 'platform');
    const u = await s.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'holder@corp.test', [ORGBRIDGE_URN]: { teamRoles: [{ team: 'research', role: 'member' }] } });
    expect(u.status).toBe(201);
    await runInTransaction(s.db, testActor, (tx) => setTeamRole(tx, s.org.id, research.id, u.body.id, { customRoleId: role.id }));
    expect(await placeOf(research.id, u.body.id)).toEqual({ role: 'view-only', custom_role_id: role.id });

    const shown = await s.call('GET', `/scim/v2/Users/${u.body.id}`);
    expect(shown.body[ORGBRIDGE_URN].teamRoles).toEqual([{ team: 'research', teamId: research.id, role: 'Admin' }]);

    // The IdP adds the person to another team, sending the list as it read it.
    const add = await s.call('PATCH', `/scim/v2/Users/${u.body.id}`, patch({ op: 'replace', path: 'teamRoles', value: [{ team: 'research', role: 'Admin' }, { team: 'platform', role: 'member' }] }));
    expect(add.status).toBe(200);
    expect(await placeOf(research.id, u.body.id)).toEqual({ role: 'view-only', custom_role_id: role.id });

    // A PUT of what GET showed, with a change elsewhere in the list.
    const back = (await s.call('GET', `/scim/v2/Users/${u.body.id}`)).body;
    const put = await s.call('PUT', `/scim/v2/Users/${u.body.id}`, { schemas: [USER_URN], userName: back.userName, [ORGBRIDGE_URN]: { teamRoles: [{ team: 'research', role: 'Admin' }] } });
    expect(put.status).toBe(200);
    expect(await placeOf(research.id, u.body.id)).toEqual({ role: 'view-only', custom_role_id: role.id });

    // The role itself can still be changed without renaming it.
    const described = await s.call('PATCH', `/scim/v2/Roles/${role.id}`, patch({ op: 'replace', path: 'description', value: 'read-only auditors' }));
    expect([described.status, described.body.name, described.body.description]).toEqual([200, 'Admin', 'read-only auditors']);
  });
});
