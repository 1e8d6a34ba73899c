import { describe, expect, it } from 'vitest';
import { apiRouter } from '../../src/api/index.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { createCustomRole } from '../../src/domain/custom-roles.ts';
import { deactivateMember } from '../../src/domain/memberships.ts';
import { createProject } from '../../src/domain/projects.ts';
import { createRegistry } from '../../src/domain/registries.ts';
import { createRoleGroup } from '../../src/domain/role-groups.ts';
import { createServiceAccountKey } from '../../src/domain/service-account-keys.ts';
import { createServiceAccount } from '../../src/domain/service-accounts.ts';
import { createEndpoint } from '../../src/events/endpoints.ts';
import { createScimToken } from '../../src/domain/scim-tokens.ts';
import { addTeamMember } from '../../src/domain/teams.ts';
import { accountFor, makeMember, testActor } from '../support/factories.ts';
import { call, makeSession, useCast, type Cast, type Harness, type Session } from '../api/harness.ts';

// Issue 14 item 5: every organization-scoped route of the admin API, read or write, needs
// an active membership. The routes are read from the router itself, so a route added
// later is walked too. A deactivated admin who is also a team admin, and a pending
// invitee placed in a team, get 403/404 everywhere: no data, and nothing written.

let h: Harness;
let c: Cast;
useCast((run) => ({ h, c } = run));

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: string;
  handle: { stack?: Layer[] };
}

function routesOf(stack: Layer[], prefix = ''): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push({ method: m.toUpperCase(), path: prefix + (layer.route.path === '/' && prefix ? '' : layer.route.path) });
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...routesOf(layer.handle.stack, prefix + mount));
    }
  }
  return out;
}

describe('organization routes need an active membership', () => {
  it('a deactivated admin and a pending invitee reach nothing under /orgs/:org', async () => {
    const db = h.t.db;
    const run = <T>(fn: Parameters<typeof runInTransaction<T>>[2]) => runInTransaction(db, testActor, fn);
    const dee = (await makeMember(db, c.org.id, { userName: 'dee', email: 'dee@acme.example', orgRole: 'admin' })).user;
    await run((tx) => addTeamMember(tx, c.org.id, c.teamA.id, dee.id, 'admin'));
    const deeSession = await makeSession(h, dee.id);
    await run((tx) => deactivateMember(tx, c.org.id, dee.id));
    const pat = (await makeMember(db, c.org.id, { userName: 'pat', email: 'pat@acme.example', status: 'pending' })).user;
    await accountFor(db, pat.id);
    await run((tx) => addTeamMember(tx, c.org.id, c.teamA.id, pat.id, 'member'));
    const patSession = await makeSession(h, pat.id);

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
      tokenId: token.id,
      keyId: key.id,
      groupId: group.id,
      roleId: role.id,
      invitationId: '00000000-0000-4000-8000-000000000000',
      domain: 'acme.example',
      project: project.id,
      registry: registry.id,
      member: c.member.id,
      account: sa.id,
      key: saKey.id,
      webhookId: endpoint.id,
      deliveryId: '00000000-0000-4000-8000-000000000001',
    };

    const routes = routesOf(apiRouter(h.deps).stack as unknown as Layer[]).filter((r) => r.path.startsWith('/orgs/:org'));
    expect(routes.length).toBeGreaterThan(40);
    const audits = async () => Number((await db('audit_log').count<{ n: number }[]>({ n: '*' }))[0]!.n);
    const before = await audits();

    const leaks: string[] = [];
    for (const who of [deeSession, patSession] as Session[]) {
      for (const r of routes) {
        const path = `/api/v1${r.path.replace(/:(\w+)/g, (_, p: string) => {
          if (!(p in params)) throw new Error(`no value for :${p} in ${r.path}: add one`);
          return params[p]!;
        })}`;
        const res = await call(h, who, r.method, path, r.method === 'GET' || r.method === 'DELETE' ? undefined : {});
        const onlyError = res.body !== undefined && Object.keys(res.body).join() === 'error';
        if (![403, 404].includes(res.status) || !onlyError) leaks.push(`${who === deeSession ? 'deactivated' : 'pending'} ${r.method} ${r.path} → ${res.status} ${res.text.slice(0, 80)}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(await audits()).toBe(before);
    expect(await db('team_members').where({ team_id: c.teamA.id, user_id: dee.id }).first()).toMatchObject({ role: 'admin' });
  });
});
