import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createRoleGroup } from '../../src/domain/role-groups.ts';
import { createScimToken } from '../../src/domain/scim-tokens.ts';
import { createServiceAccount, deleteServiceAccount } from '../../src/domain/service-accounts.ts';
import { createServiceAccountKey } from '../../src/domain/service-account-keys.ts';
import { makeTeam, testActor } from '../support/factories.ts';
import { call, useCast, type Cast, type Harness } from '../api/harness.ts';

// Issue 14 item 7: a team that owns service accounts is not deleted (409 naming them, by
// the admin API and by SCIM DELETE /Groups), so their keys never vanish with it; and every
// role group that goes with a deleted team is in the audit log.

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

const run = <T>(fn: Parameters<typeof runInTransaction<T>>[2]) => runInTransaction(h.t.db, testActor, fn);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON under test
async function scimDelete(groupId: string): Promise<{ status: number; body: any }> {
  const { token } = await run((tx) => createScimToken(tx, c.org.id, 'idp'));
  const res = await fetch(`${h.baseUrl}/scim/v2/Groups/${groupId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

describe('deleting a team', () => {
  it('is refused while it owns service accounts, by the admin API and by SCIM; allowed once they are gone', async () => {
    const team = await makeTeam(h.t.db, c.org.id, 'Pipelines');
    const ci = await run((tx) => createServiceAccount(tx, c.org.id, { name: 'ci-runner', teamId: team.id }));
    const nightly = await run((tx) => createServiceAccount(tx, c.org.id, { name: 'nightly-eval', teamId: team.id }));
    const { info: { id: keyId } } = await run((tx) => createServiceAccountKey(tx, c.org.id, ci.id, { label: 'ci' }));

    const api = await call(h, c.as.admin, 'DELETE', `${base}/teams/${team.id}`);
    expect(api.status).toBe(409);
    expect(api.body.error.code).toBe('conflict');
    expect(api.body.error.message).toContain('ci-runner');
    expect(api.body.error.message).toContain('nightly-eval');
    expect(api.body.error.details.serviceAccounts.map((s: { name: string }) => s.name).sort()).toEqual(['ci-runner', 'nightly-eval']);

    const scim = await scimDelete(team.id);
    expect(scim.status).toBe(409);
    expect(scim.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409' });
    expect(scim.body.detail).toContain('ci-runner');
    expect(scim.body.scimType).toBeUndefined();

    expect(await h.t.db('teams').where({ id: team.id }).first()).toBeDefined();
    expect(await h.t.db('service_accounts').whereIn('id', [ci.id, nightly.id])).toHaveLength(2);
    expect((await h.t.db('service_account_keys').where({ id: keyId }).first()).revoked_at).toBeNull();

    await run((tx) => deleteServiceAccount(tx, c.org.id, ci.id));
    await run((tx) => deleteServiceAccount(tx, c.org.id, nightly.id));
    expect((await call(h, c.as.admin, 'DELETE', `${base}/teams/${team.id}`)).status).toBe(204);
    expect(await h.t.db('teams').where({ id: team.id }).first()).toBeUndefined();
  });

  it('audits every role group removed with the team, in the same transaction as the deletion', async () => {
    const team = await makeTeam(h.t.db, c.org.id, 'Sunset');
    const g1 = await run((tx) => createRoleGroup(tx, c.org.id, 'sunset-admins', { teamId: team.id, teamRole: 'admin' }, 'scim'));
    const g2 = await run((tx) => createRoleGroup(tx, c.org.id, 'cn=sunset,ou=groups,dc=acme,dc=example', { teamId: team.id, teamRole: 'member' }, 'ldap'));
    const other = await run((tx) => createRoleGroup(tx, c.org.id, 'vision-admins', { teamId: c.teamA.id, teamRole: 'admin' }, 'scim'));

    const scim = await scimDelete(team.id);
    expect(scim.status).toBe(204);
    expect(await h.t.db('role_groups').whereIn('id', [g1.id, g2.id])).toEqual([]);
    expect(await h.t.db('role_groups').where({ id: other.id }).first()).toBeDefined();
    const rows = await h.t.db('audit_log').where({ org_id: c.org.id, action: 'role_group.delete' }).whereIn('target_id', [g1.id, g2.id]).orderBy('target_id');
    expect(rows).toHaveLength(2);
    const byId = Object.fromEntries(rows.map((r: { target_id: string; before: unknown; actor_type: string }) => [r.target_id, r]));
    expect(byId[g1.id]).toMatchObject({ actor_type: 'scim', before: { source: 'scim', groupName: 'sunset-admins', teamId: team.id, teamRole: 'admin', reason: 'team deleted' } });
    expect(byId[g2.id]).toMatchObject({ before: { source: 'ldap', teamRole: 'member', reason: 'team deleted' } });
    const deletion = await h.t.db('audit_log').where({ org_id: c.org.id, action: 'team.delete', target_id: team.id }).first();
    expect(deletion.before.roleGroups).toBe(2);
  });
});
