import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createRegistry, setRegistryRoles } from '../../src/domain/registries.ts';
import { buildApp } from '../../src/http/app.ts';
import { call, useCast, type CastRun } from '../api/harness.ts';
import { makeMember, makeTeam, testActor } from '../support/factories.ts';
import { addTeamMember } from '../../src/domain/teams.ts';
import { decisions, platformCredential, project, run, serviceAccount } from './support.ts';

let x: CastRun;
useCast((r) => (x = r));

const log = (principal: unknown, projectId: string, extra: Record<string, unknown> = {}) => ({ principal, permission: 'experiments.log', resource: { type: 'project', id: projectId }, ...extra });
const verdicts = (res: { body: { results: { decision: string }[] } }) => res.body.results.map((r) => r.decision);

describe('decision API: who may ask', () => {
  it('needs a platform credential: none, malformed, unknown or revoked are refused; it cannot change the directory', async () => {
    const { h, c, base } = x;
    const secret = await platformCredential(h, c.org.slug);
    expect(secret).toMatch(/^obplat_/);
    const row = await h.t.db('platform_credentials').where({ org_id: c.org.id }).first();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect((await call(h, null, 'POST', '/api/v1/decisions', { checks: [] })).status).toBe(401);
    expect((await decisions(h, `${secret}x`, [])).status).toBe(401);
    // The platform may not invite, list people or create teams.
    for (const [method, path, body] of [['POST', `${base}/invitations`, { email: 'z@acme.example' }], ['GET', `${base}/users`], ['POST', `${base}/teams`, { name: 'T' }], ['GET', '/api/v1/me']] as const) {
      const res = await call(h, { apiKey: secret }, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(await h.t.db('teams').where({ org_id: c.org.id, name: 'T' })).toHaveLength(0);
    const id = row.id as string;
    const { runCli } = await import('../../src/cli/main.ts');
    const { loadConfig } = await import('../../src/config/load.ts');
    expect(await runCli(['platform-credential', 'revoke', id], {}, { stdout: () => {}, stderr: () => {} }, { db: h.t.db, config: loadConfig({}) })).toBe(0);
    expect((await decisions(h, secret, [log({ type: 'person', memberId: c.member.id }, c.teamA.id)])).status).toBe(401);
    expect(await h.t.db('audit_log').where({ action: 'platform_credential.revoke', target_id: id })).toHaveLength(1);
  });

  it('batch limits: 1,000 answered in order, 1,001 is 400; state is read in a fixed number of queries', async () => {
    const { h, c } = x;
    const secret = await platformCredential(h, c.org.slug);
    const p = await project(h, c.org.id, c.teamA.id, 'team');
    // 1,000 distinct principals (fresh team members) and the cast, mixed.
    const team = c.teamA.id;
    const fresh = await runInTransaction(h.t.db, testActor, async (tx) => {
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const { addMember } = await import('../../src/domain/memberships.ts');
        const m = await addMember(tx, { orgId: c.org.id, person: { userName: `bulk${i}@acme.example`, email: `bulk${i}@acme.example` } });
        if (i % 2 === 0) await addTeamMember(tx, c.org.id, team, m.user.id, 'member');
        ids.push(m.user.id);
      }
      return ids;
    });
    const checks = Array.from({ length: 1000 }, (_, i) => log({ type: 'person', memberId: fresh[i % fresh.length]! }, p.id));
    let queries = 0;
    const count = () => queries++;
    h.t.db.on('query', count);
    const res = await decisions(h, secret, checks);
    h.t.db.off('query', count);
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1000);
    expect(verdicts(res).slice(0, 4)).toEqual(['allow', 'deny', 'allow', 'deny']);
    // Credential lookup + ~8 snapshot reads: independent of the batch size.
    expect(queries).toBeLessThanOrEqual(15);
    const over = await decisions(h, secret, [...checks, checks[0]]);
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain('at most 1000 checks');
    // A malformed item fails the whole batch with the item's path.
    const bad = await decisions(h, secret, [{ principal: { type: 'person', memberId: 'nope' }, permission: 'x', resource: { type: 'project', id: p.id } }]);
    expect(bad.status).toBe(422);
    // An unknown permission is answered, not thrown.
    const unknown = await decisions(h, secret, [{ principal: { type: 'person', memberId: c.member.id }, permission: 'runs.teleport', resource: { type: 'project', id: p.id } }]);
    expect(unknown.body.results[0]).toEqual({ decision: 'deny', reason: 'unknown permission runs.teleport' });
    // The seed's `object:operation` names are the catalog's permissions under another name.
    const member = { type: 'person', memberId: c.member.id };
    const named = await decisions(h, secret, [
      { principal: member, permission: 'run:create', resource: { type: 'project', id: p.id } },
      { principal: member, permission: 'experiments.log', resource: { type: 'project', id: p.id } },
      { principal: member, permission: 'Project:Delete', resource: { type: 'project', id: p.id } },
      { principal: member, permission: 'projects.delete', resource: { type: 'project', id: p.id } },
    ]);
    expect(verdicts(named)).toEqual([verdicts(named)[1], verdicts(named)[1], verdicts(named)[3], verdicts(named)[3]]);
    expect(named.body.results.map((r: { reason: string }) => r.reason)).not.toContain('unknown permission run:create');
    expect(verdicts(named)[1]).not.toBe(verdicts(named)[3]);
  });
});

describe('decision API: no allow across organizations', () => {
  it("a credential, person, admin key or service account of one organization never gets an allow on another's resource", async () => {
    const { h, c } = x;
    const otherTeam = await makeTeam(h.t.db, c.other.id, 'Other Vision');
    await runInTransaction(h.t.db, testActor, (tx) => addTeamMember(tx, c.other.id, otherTeam.id, c.outsider.id, 'admin'));
    const theirs = await project(h, c.other.id, otherTeam.id, 'open');
    const theirRegistry = await run(h, (tx) => createRegistry(tx, c.other.id, { name: 'their-models' }));
    const ours = await project(h, c.org.id, c.teamA.id, 'open');
    const { key: saKey } = await serviceAccount(h, c.org.id, c.teamA.id);
    const acmeCred = await platformCredential(h, c.org.slug);
    const deployment = await platformCredential(h);
    const adminKey = c.as.adminKey.apiKey;

    // Acme's credential about Globex's project, with Globex's own admin as principal: reads as not found.
    const a = await decisions(h, acmeCred, [
      log({ type: 'person', memberId: c.outsider.id }, theirs.id),
      { principal: { type: 'person', memberId: c.outsider.id }, permission: 'registry.models.view', resource: { type: 'registry', id: theirRegistry.id } },
      { principal: { type: 'person', memberId: c.outsider.id }, permission: 'org.users.invite', resource: { type: 'organization', id: c.other.id } },
    ]);
    expect(verdicts(a)).toEqual(['deny', 'deny', 'deny']);
    expect(a.body.results[0].reason).toBe(`project ${theirs.id} not found`);

    // A deployment-wide credential: Acme's principals on Globex's open project and registry.
    const everyone = [
      { type: 'person', memberId: c.admin.id },
      { type: 'person', accountId: (await h.t.db('users').where({ id: c.admin.id }).first()).account_id },
      { type: 'apiKey', key: adminKey },
      { type: 'apiKey', key: saKey },
    ];
    const checks = everyone.flatMap((principal) => [
      log(principal, theirs.id),
      { principal, permission: 'registry.models.view', resource: { type: 'registry', id: theirRegistry.id } },
      { principal, permission: 'team.members.add', resource: { type: 'team', id: otherTeam.id } },
      { principal, permission: 'org.users.invite', resource: { type: 'organization', id: c.other.id } },
      { principal, permission: 'reports.view', resource: { type: 'object', kind: 'report', project: theirs.id, owner: { memberId: c.admin.id } } },
    ]);
    const d = await decisions(h, deployment, checks);
    expect(d.status).toBe(200);
    expect(verdicts(d).every((v) => v === 'deny')).toBe(true);
    // The same principals do reach their own organization's open project (the checks above could allow).
    const own = await decisions(h, deployment, everyone.map((principal) => log(principal, ours.id)));
    expect(verdicts(own)).toEqual(['allow', 'allow', 'allow', 'allow']);

    // The dashboard's explain panel: an org admin's session asks about its own organization only.
    const mine = await call(h, c.as.admin, 'POST', '/api/v1/decisions', { checks: [log({ type: 'person', memberId: c.member.id }, ours.id), log({ type: 'person', memberId: c.outsider.id }, theirs.id)] });
    expect(verdicts(mine)).toEqual(['allow', 'deny']);
    expect(mine.body.results[1].reason).toBe(`project ${theirs.id} not found`);
    // A plain member's session may ask about nothing.
    const member = await call(h, c.as.member, 'POST', '/api/v1/decisions', { checks: [log({ type: 'person', memberId: c.member.id }, ours.id)] });
    expect(verdicts(member)).toEqual(['deny']);
  });
});

describe('decision API: no stale allow', () => {
  it('deactivation, team-role change, removal from the team and a visibility change show in the very next decision, on another instance too', async () => {
    const { h, c, base } = x;
    const secret = await platformCredential(h, c.org.slug);
    // A second instance of the app on the same database (its own pool on PostgreSQL).
    const second: Server = await new Promise((resolve) => {
      const s = buildApp({ ...h.deps, db: h.t.openAnother(4) }).listen(0, '127.0.0.1', () => resolve(s));
    });
    const secondUrl = `http://127.0.0.1:${(second.address() as AddressInfo).port}`;
    const askSecond = async (checks: unknown[]) => {
      const res = await fetch(`${secondUrl}/api/v1/decisions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ checks }) });
      return (await res.json()) as { results: { decision: string; reason: string }[] };
    };
    try {
      const person = (await makeMember(h.t.db, c.org.id, { userName: 'stale@acme.example', email: 'stale@acme.example' })).user;
      await runInTransaction(h.t.db, testActor, (tx) => addTeamMember(tx, c.org.id, c.teamA.id, person.id, 'member'));
      const p = await project(h, c.org.id, c.teamA.id, 'team');
      const pub = await project(h, c.org.id, c.teamA.id, 'public');
      const me = { type: 'person', memberId: person.id };
      const check = [log(me, p.id)];
      const far = (await makeMember(h.t.db, c.org.id, { userName: 'far@acme.example' })).user;
      const viewPublic = [{ principal: { type: 'person', memberId: far.id }, permission: 'experiments.view', resource: { type: 'project', id: pub.id } }];

      expect(verdicts(await decisions(h, secret, check))).toEqual(['allow']);
      expect((await askSecond(check)).results[0]!.decision).toBe('allow');

      // Team role member → view-only (on instance one): both instances deny the next log.
      expect((await call(h, c.as.admin, 'PATCH', `${base}/teams/${c.teamA.id}/members/${person.id}`, { role: 'view-only' })).status).toBe(200);
      expect((await askSecond(check)).results[0]!.decision).toBe('deny');
      expect(verdicts(await decisions(h, secret, check))).toEqual(['deny']);
      await call(h, c.as.admin, 'PATCH', `${base}/teams/${c.teamA.id}/members/${person.id}`, { role: 'member' });
      expect((await askSecond(check)).results[0]!.decision).toBe('allow');

      // Deactivation.
      expect((await call(h, c.as.admin, 'POST', `${base}/users/${person.id}/deactivate`)).status).toBe(200);
      const deactivated = await askSecond(check);
      expect(deactivated.results[0]).toMatchObject({ decision: 'deny', reason: expect.stringContaining('deactivated') });
      await call(h, c.as.admin, 'POST', `${base}/users/${person.id}/reactivate`);
      expect((await askSecond(check)).results[0]!.decision).toBe('allow');

      // Removal from the team.
      expect((await call(h, c.as.admin, 'DELETE', `${base}/teams/${c.teamA.id}/members/${person.id}`)).status).toBe(204);
      expect((await askSecond(check)).results[0]).toMatchObject({ decision: 'deny', reason: expect.stringContaining('not a member of team') });

      // Visibility public → team: an outsider's view ends at once.
      expect((await askSecond(viewPublic)).results[0]!.decision).toBe('allow');
      expect((await call(h, c.as.admin, 'PATCH', `${base}/projects/${pub.id}`, { visibility: 'team' })).status).toBe(200);
      expect((await askSecond(viewPublic)).results[0]!.decision).toBe('deny');
      expect(await h.t.db('audit_log').where({ action: 'project.visibility', target_id: pub.id })).toHaveLength(1);
    } finally {
      await new Promise((r) => second.close(r));
    }
  });
});

describe('decision API: admin keys', () => {
  it('an admin key is a principal only while authentication would accept it: not expired, its creator still an admin', async () => {
    const { h, c } = x;
    const secret = await platformCredential(h, c.org.slug);
    const invite = { principal: { type: 'apiKey', key: c.as.adminKey.apiKey }, permission: 'org.users.invite', resource: { type: 'organization', id: c.org.id } };
    expect(verdicts(await decisions(h, secret, [invite]))).toEqual(['allow']);
    const key = await h.t.db('api_keys').where({ org_id: c.org.id, kind: 'admin', label: 'automation' }).first('id', 'created_by');
    // Expired (set in the row: no command path leaves an expired key unrevoked otherwise).
    await h.t.db('api_keys').where({ id: key.id }).update({ expires_at: new Date(Date.now() - 60_000) });
    expect(verdicts(await decisions(h, secret, [invite]))).toEqual(['deny']);
    await h.t.db('api_keys').where({ id: key.id }).update({ expires_at: null });
    expect(verdicts(await decisions(h, secret, [invite]))).toEqual(['allow']);
    // Its creator demoted behind the commands' back (direct SQL, so nothing revoked the key).
    await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.admin.id }).update({ org_role: 'member' });
    try {
      expect(verdicts(await decisions(h, secret, [invite]))).toEqual(['deny']);
    } finally {
      // The cast is shared by the file's tests.
      await h.t.db('memberships').where({ org_id: c.org.id, user_id: c.admin.id }).update({ org_role: 'admin' });
    }
  });
});

describe('decision API: service accounts', () => {
  it("logs in its team's projects and open ones only; attribution only to active members of its team", async () => {
    const { h, c, base } = x;
    const secret = await platformCredential(h, c.org.slug);
    const { sa, key } = await serviceAccount(h, c.org.id, c.teamA.id);
    const own = await project(h, c.org.id, c.teamA.id, 'team');
    const ownRestricted = await project(h, c.org.id, c.teamA.id, 'restricted');
    const elsewhere = await project(h, c.org.id, c.teamB.id, 'team');
    const elsewhereOpen = await project(h, c.org.id, c.teamB.id, 'open');
    const k = { type: 'apiKey', key };
    const res = await decisions(h, secret, [log(k, own.id), log(k, ownRestricted.id), log(k, elsewhere.id), log(k, elsewhereOpen.id), { principal: k, permission: 'team.members.add', resource: { type: 'team', id: c.teamA.id } }, { principal: { type: 'serviceAccount', id: sa.id }, permission: 'org.users.invite', resource: { type: 'organization', id: c.org.id } }]);
    expect(verdicts(res)).toEqual(['allow', 'deny', 'deny', 'allow', 'deny', 'deny']);

    // Attribution: WANDB_USERNAME / WANDB_USER_EMAIL of an active member of the team.
    const attr = (name: string) => log(k, own.id, { attributeTo: name });
    const a = await decisions(h, secret, [attr('MAX@acme.example'), attr('ada@acme.example'), attr('nobody@acme.example')]);
    expect(verdicts(a)).toEqual(['allow', 'deny', 'deny']);
    expect(a.body.results[0].attributedTo).toMatchObject({ memberId: c.member.id });
    expect(a.body.results[1].reason).toContain('not an active member');
    // A person cannot be attributed through; deactivation ends attribution at once.
    expect(verdicts(await decisions(h, secret, [log({ type: 'person', memberId: c.member.id }, own.id, { attributeTo: 'max@acme.example' })]))).toEqual(['deny']);
    const off = await call(h, c.as.admin, 'POST', `${base}/users/${c.member.id}/deactivate`);
    expect(off.status, off.text).toBe(200);
    expect(verdicts(await decisions(h, secret, [attr('max@acme.example')]))).toEqual(['deny']);
    expect((await call(h, c.as.admin, 'POST', `${base}/users/${c.member.id}/reactivate`)).status).toBe(200);

    // An organization-owned account: every non-restricted project of the organization.
    const { key: orgKey } = await serviceAccount(h, c.org.id, null);
    const o = { type: 'apiKey', key: orgKey };
    expect(verdicts(await decisions(h, secret, [log(o, own.id), log(o, elsewhere.id), log(o, ownRestricted.id), log(o, elsewhere.id, { attributeTo: 'ada@acme.example' })]))).toEqual(['allow', 'allow', 'deny', 'allow']);
  });
});

describe('registryRoles for SCIM', () => {
  it('setRegistryRoles replaces a record\'s own registry roles; unknown registry or role is refused', async () => {
    const { h, c } = x;
    const r1 = await run(h, (tx) => createRegistry(tx, c.org.id, { name: 'Vision Models' }));
    const r2 = await run(h, (tx) => createRegistry(tx, c.org.id, { name: 'NLP', visibility: 'restricted' }));
    await run(h, (tx) => setRegistryRoles(tx, c.org.id, c.viewOnly.id, [{ registryName: 'vision models', roleName: 'admin' }, { registryName: 'NLP', roleName: 'Viewer' }]));
    expect(await h.t.db('registry_roles').where({ user_id: c.viewOnly.id }).orderBy('role').select('registry_id', 'role')).toEqual([{ registry_id: r1.id, role: 'admin' }, { registry_id: r2.id, role: 'viewer' }]);
    await run(h, (tx) => setRegistryRoles(tx, c.org.id, c.viewOnly.id, [{ registryName: 'NLP', roleName: 'member' }]));
    expect(await h.t.db('registry_roles').where({ user_id: c.viewOnly.id }).select('registry_id', 'role')).toEqual([{ registry_id: r2.id, role: 'member' }]);
    await expect(run(h, (tx) => setRegistryRoles(tx, c.org.id, c.viewOnly.id, [{ registryName: 'nope', roleName: 'member' }]))).rejects.toMatchObject({ code: 'invalid' });
    await expect(run(h, (tx) => setRegistryRoles(tx, c.org.id, c.viewOnly.id, [{ registryName: 'NLP', roleName: 'owner' }]))).rejects.toMatchObject({ code: 'invalid' });
    // Another organization's record: not found.
    await expect(run(h, (tx) => setRegistryRoles(tx, c.org.id, c.outsider.id, []))).rejects.toMatchObject({ code: 'not_found' });
    expect(await h.t.db('audit_log').where({ org_id: c.org.id, action: 'registry.role' })).toHaveLength(4);
  });
});
