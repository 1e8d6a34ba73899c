import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { unlinkExternalIdentity } from '../../src/domain/external-identities.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';
import { startOidcProvider, type TestOp } from '../support/oidc-provider.ts';
import { freePort } from '../support/ports.ts';
import { startApp, type RunningApp } from '../support/sso-app.ts';
import { me, signIn } from '../sso/oidc-flow.ts';

// Review (accounts): unlinking a sign-in identity (DELETE /api/v1/accounts/:id/identities,
// `orgbridge identity unlink`) says "this identity is not this account's". The sessions it
// opened must end with it: before, whoever had signed in with it stayed signed in to the
// account for up to SESSION_TTL_HOURS, however often the operator unlinked it.

let tdb: TestDb;
let op: TestOp;
let app: RunningApp;

beforeAll(async () => {
  tdb = await createTestDb();
  const port = await freePort();
  op = await startOidcProvider({ redirectUris: [`http://127.0.0.1:${port}/auth/oidc/test/callback`] });
  app = await startApp(
    tdb.db,
    { PORT: String(port), OIDC_PROVIDERS: 'test', OIDC_TEST_ISSUER: op.issuer, OIDC_TEST_CLIENT_ID: op.clientId, OIDC_TEST_CLIENT_SECRET: op.clientSecret },
    { oidcFetch: op.fetch },
  );
});

afterAll(async () => {
  await app?.stop();
  await op?.stop();
  await tdb?.close();
});

describe('unlinking an identity', () => {
  test('ends the sessions it signed in, and only those', async () => {
    const org = await makeOrg(tdb.db, 'Unlink Corp');
    await makeMember(tdb.db, org.id, { userName: 'kim@unlink.example' });
    op.accounts.set('kim-sub', { email: 'kim@unlink.example', email_verified: true, name: 'Kim' });
    const kim = await signIn(app, op, 'kim-sub');
    expect(kim.response.status).toBe(303);
    expect((await me(app, kim.agent)).status).toBe(200);
    const account = await tdb.db('accounts').where({ email_key: 'kim@unlink.example' }).first();
    const identity = await tdb.db('external_identities').where({ account_id: account.id }).first();

    // A session of the same account that no provider made (an operator's link) is not the identity's.
    const other = { sid: 'operator-link-session', account_id: account.id, expires_at: new Date(Date.now() + 3600_000) };
    await tdb.db('sessions').insert({ ...other, data: JSON.stringify({ cookie: {}, accountId: account.id, authMethod: 'break_glass', signedInAt: new Date().toISOString() }) });

    await runInTransaction(tdb.db, testActor, (tx) => unlinkExternalIdentity(tx, account.id, identity.provider, identity.external_id));

    expect((await me(app, kim.agent)).status).toBe(401);
    expect(await tdb.db('sessions').where({ sid: other.sid })).toHaveLength(1);
    expect(await tdb.db('audit_log').where({ action: 'identity.unlink', target_id: account.id }).first()).toMatchObject({ after: { sessionsEnded: 1 } });
  });
});
