import { runInTransaction } from '../../src/domain/context.ts';
import { createCustomRole } from '../../src/domain/custom-roles.ts';
import { createProject } from '../../src/domain/projects.ts';
import { createRegistry } from '../../src/domain/registries.ts';
import { createRoleGroup } from '../../src/domain/role-groups.ts';
import { createScimToken } from '../../src/domain/scim-tokens.ts';
import { createServiceAccountKey } from '../../src/domain/service-account-keys.ts';
import { createServiceAccount } from '../../src/domain/service-accounts.ts';
import { createEndpoint } from '../../src/events/endpoints.ts';
import type { Cast, Harness } from '../api/harness.ts';
import { testActor } from './factories.ts';

/**
 * One of everything an organization route can name, for tests that walk every route of
 * the admin API: `params` has a value for each path parameter (ids of rows that exist,
 * except the invitation and the delivery, which are well-formed ids of none).
 */
export async function orgResources(h: Harness, c: Cast) {
  const db = h.t.db;
  const run = <T>(fn: Parameters<typeof runInTransaction<T>>[2]) => runInTransaction(db, testActor, fn);
  const role = await run((tx) => createCustomRole(tx, c.org.id, { name: 'Auditor', base: 'viewer', permissions: [] }, () => true));
  const group = await run((tx) => createRoleGroup(tx, c.org.id, 'ml-admins', { orgRole: 'admin' }, 'scim'));
  const { info: token } = await run((tx) => createScimToken(tx, c.org.id, 'idp'));
  const project = await run((tx) => createProject(tx, c.org.id, { name: 'vision', teamId: c.teamA.id, visibility: 'restricted' }));
  const registry = await run((tx) => createRegistry(tx, c.org.id, { name: 'prod-models' }));
  const sa = await run((tx) => createServiceAccount(tx, c.org.id, { name: 'ci', teamId: c.teamA.id }));
  const { info: saKey } = await run((tx) => createServiceAccountKey(tx, c.org.id, sa.id, { label: 'ci' }));
  const { endpoint } = await run((tx) => createEndpoint(tx, c.org.id, { url: 'https://hooks.acme.example/orgbridge', eventTypes: ['*'] }, { allowHttpHosts: [], allowPrivateHosts: [] }));
  const key = await db('api_keys').where({ org_id: c.org.id, kind: 'admin' }).first('id');
  const params: Record<string, string> = {
    org: c.org.slug,
    team: c.teamA.id,
    user: c.member.id,
    member: c.member.id,
    tokenId: token.id,
    keyId: key.id,
    groupId: group.id,
    roleId: role.id,
    invitationId: '00000000-0000-4000-8000-000000000000',
    domain: 'acme.example',
    project: project.id,
    registry: registry.id,
    account: sa.id,
    key: saKey.id,
    webhookId: endpoint.id,
    deliveryId: '1',
  };
  return { endpoint, params };
}
