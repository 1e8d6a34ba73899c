import { describe, expect, it } from 'vitest';
import { apiRouter } from '../../src/api/index.ts';
import { describeApi } from '../../src/api/openapi/document.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { deactivateMember } from '../../src/domain/memberships.ts';
import { addTeamMember } from '../../src/domain/teams.ts';
import { accountFor, makeMember, testActor } from '../support/factories.ts';
import { orgResources } from '../support/org-resources.ts';
import { call, makeSession, useCast, type Cast, type Harness, type Session } from '../api/harness.ts';

// Issue 14 item 5: every organization-scoped route of the admin API, read or write, needs
// an active membership. The routes are read from the router itself, so a route added
// later is walked too. A deactivated admin who is also a team admin, and a pending
// invitee placed in a team, get 403/404 everywhere: no data, and nothing written.

let h: Harness;
let c: Cast;
useCast((run) => ({ h, c } = run));

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

    const { params } = await orgResources(h, c);

    // Every operation of the router, as the API description lists them (read from the router itself).
    const routes = describeApi(apiRouter(h.deps), { version: 'test', basePath: '/api/v1' })
      .operations.filter((o) => o.path.startsWith('/orgs/{org}'))
      .map((o) => ({ method: o.method.toUpperCase(), path: o.path }));
    expect(routes.length).toBeGreaterThan(40);
    const audits = async () => Number((await db('audit_log').count<{ n: number }[]>({ n: '*' }))[0]!.n);
    const before = await audits();

    const leaks: string[] = [];
    for (const who of [deeSession, patSession] as Session[]) {
      for (const r of routes) {
        const path = `/api/v1${r.path.replace(/\{(\w+)\}/g, (_, p: string) => {
          if (!(p in params)) throw new Error(`no value for {${p}} in ${r.path}: add one`);
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
