import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createScimToken } from '../../src/domain/scim-tokens.ts';
import { call, makeSession, startHarness, type Harness } from '../api/harness.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';

// Issue 14 item 1: administering the organization never depends on the Models seat. The
// seat caps work on runs, reports and artifacts (seeds/002: "the organization role
// controls administrative actions, the seat type controls what a user can do within
// Models and Weave"), so no seat change — by the admin API, SCIM, an invitation or the
// just-in-time overflow — leaves an organization without an admin able to act.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function soleAdmin(seat: 'full' | 'viewer' | 'none' = 'full') {
  const org = await makeOrg(h.t.db);
  const { user } = await makeMember(h.t.db, org.id, { orgRole: 'admin', modelsSeat: seat, userName: `root-${org.slug}@acme.example` });
  const session = await makeSession(h, user.id);
  return { org, user, session, base: `/api/v1/orgs/${org.slug}` };
}

describe('the sole admin and their Models seat', () => {
  it('an admin who gives themselves a viewer seat keeps administering (and can take the full seat back)', async () => {
    const { org, user, session, base } = await soleAdmin();
    const demote = await call(h, session, 'PATCH', `${base}/users/${user.id}`, { modelsSeat: 'viewer' });
    expect(demote.status).toBe(200);
    expect(demote.body.modelsSeat).toBe('viewer');

    const rename = await call(h, session, 'PATCH', base, { name: 'Still Administered' });
    expect(rename.status).toBe(200);
    expect((await h.t.db('organizations').where({ id: org.id }).first()).name).toBe('Still Administered');
    const invite = await call(h, session, 'POST', `${base}/invitations`, { emailOrUserName: 'second@acme.example', orgRole: 'admin' });
    expect(invite.status).toBe(201);
    const team = await call(h, session, 'POST', `${base}/teams`, { name: 'Ops' });
    expect(team.status).toBe(201);
    // Team administration by an organization admin is organization administration too.
    const place = await call(h, session, 'POST', `${base}/teams/${team.body.id}/members`, { user: user.id, role: 'admin' });
    expect(place.status).toBe(201);

    const back = await call(h, session, 'PATCH', `${base}/users/${user.id}`, { modelsSeat: 'full' });
    expect(back.status).toBe(200);
    expect((await h.t.db('memberships').where({ user_id: user.id }).first()).models_seat).toBe('full');
  });

  it('no Models seat at all (set over SCIM) still lets the admin act, and what they may do says so', async () => {
    const { org, user, session, base } = await soleAdmin();
    const { token } = await runInTransaction(h.t.db, testActor, (tx) => createScimToken(tx, org.id, 'idp'));
    const scim = await fetch(`${h.baseUrl}/scim/v2/Users/${user.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'modelsSeat', value: 'none' }] }),
    });
    expect(scim.status).toBe(200);
    expect((await h.t.db('memberships').where({ user_id: user.id }).first()).models_seat).toBe('none');

    const me = await call(h, session, 'GET', `${base}/me`);
    expect(me.body.permissions).toEqual(expect.arrayContaining(['org.users.changeSeat', 'org.users.changeRole', 'org.settings.manage', 'org.teams.create']));
    const settings = await call(h, session, 'PATCH', `${base}/settings`, { teamJoinAtSignup: true });
    expect(settings.status).toBe(200);
    expect((await call(h, session, 'PATCH', `${base}/users/${user.id}`, { modelsSeat: 'full' })).status).toBe(200);
  });

  it('an admin invited with the organization\'s default viewer seat administers once they accept', async () => {
    const { org, session, base } = await soleAdmin();
    await h.t.db('organizations').where({ id: org.id }).update({ default_models_seat: 'viewer' });
    const second = await makeMember(h.t.db, org.id, { orgRole: 'admin', userName: `second-${org.slug}@acme.example` });
    expect(second.membership.models_seat).toBe('viewer');
    const theirs = await makeSession(h, second.user.id);
    // The first admin leaves; the viewer-seat admin is the one left, and acts.
    const first = (await h.t.db('users').where({ org_id: org.id, user_name: `root-${org.slug}@acme.example` }).first()).id;
    expect((await call(h, theirs, 'DELETE', `${base}/users/${first}`)).status).toBe(204);
    expect((await call(h, theirs, 'POST', `${base}/teams`, { name: 'Research' })).status).toBe(201);
    expect((await call(h, session, 'GET', `${base}/users`)).status).toBe(404);
  });
});
