import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { invite } from '../../src/domain/invitations.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';
import { startOidcProvider, type TestOp } from '../support/oidc-provider.ts';
import { freePort } from '../support/ports.ts';
import { startApp, type RunningApp } from '../support/sso-app.ts';
import { signIn } from '../sso/oidc-flow.ts';

// Review (invitations): a session signed in through a provider trusted only for some
// organizations "does not reach" the others (README § Provider trust), and such a
// provider "never links a sign-in to that organization's member records". The invitation
// link's POST took the session's account as proof whatever provider it came through, so
// an address vouched for only by organization A's IdP joined organization B by B's link.

let tdb: TestDb;
let op: TestOp;
let app: RunningApp;

beforeAll(async () => {
  tdb = await createTestDb();
  const port = await freePort();
  op = await startOidcProvider({ redirectUris: ['aonly', 'all'].map((p) => `http://127.0.0.1:${port}/auth/oidc/${p}/callback`) });
  const provider = (name: string) => ({
    [`OIDC_${name.toUpperCase()}_ISSUER`]: op.issuer,
    [`OIDC_${name.toUpperCase()}_CLIENT_ID`]: op.clientId,
    [`OIDC_${name.toUpperCase()}_CLIENT_SECRET`]: op.clientSecret,
  });
  app = await startApp(tdb.db, { PORT: String(port), OIDC_PROVIDERS: 'aonly,all', ...provider('aonly'), OIDC_AONLY_ORGS: 'tenant-a', ...provider('all') }, { oidcFetch: op.fetch });
});

afterAll(async () => {
  await app?.stop();
  await op?.stop();
  await tdb?.close();
});

describe('an invitation link', () => {
  test('is not accepted by a session whose provider the inviting organization does not trust', async () => {
    const a = await makeOrg(tdb.db, 'Tenant A');
    const b = await makeOrg(tdb.db, 'Tenant B');
    expect(a.slug).toBe('tenant-a');
    await makeMember(tdb.db, a.id, { userName: 'bo@shared.example' });
    const { token, invitation } = await runInTransaction(tdb.db, testActor, (tx) => invite(tx, { orgId: b.id, emailOrUserName: 'bo@shared.example', ttlDays: 7 }));
    op.accounts.set('bo-sub', { email: 'bo@shared.example', email_verified: true, name: 'Bo' });

    // Signed in through A's provider (trusted for tenant-a only).
    const viaA = await signIn(app, op, 'bo-sub', { provider: 'aonly' });
    expect(viaA.response.status).toBe(303);
    const refused = await viaA.agent.request(`${app.url}/auth/invite/${token}`, { method: 'POST', headers: { accept: 'text/html' } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/Tenant B does not trust the provider you signed in with/);
    expect(await tdb.db('users').where({ id: invitation.user_id }).first()).toMatchObject({ account_id: null });
    expect(await tdb.db('memberships').where({ org_id: b.id, user_id: invitation.user_id }).first()).toMatchObject({ status: 'pending' });
    expect(await tdb.db('audit_log').where({ org_id: b.id, action: 'invitation.accept', outcome: 'refused' })).toHaveLength(1);

    // Through a provider B trusts, the same person's sign-in accepts it (the usual path).
    const viaAll = await signIn(app, op, 'bo-sub', { provider: 'all' });
    expect(viaAll.response.status).toBe(303);
    expect(await tdb.db('memberships').where({ org_id: b.id, user_id: invitation.user_id }).first()).toMatchObject({ status: 'active' });
  });
});
