import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { linkExternalIdentity } from '../../src/domain/external-identities.ts';
import { testActor } from '../support/factories.ts';
import { call, useCast, type Cast, type Harness } from './harness.ts';

// Accounts and their sign-in identities (issue 11: "an admin can unlink an identity
// through the API and the CLI"). Accounts belong to no organization: system admins only.

let h: Harness;
let c: Cast;
useCast((run) => ({ h, c } = run));

describe('/api/v1/accounts', () => {
  it('a system admin finds an account by email, sees its identities and unlinks one (audited)', async () => {
    const ada = c.as.admin.accountId;
    await runInTransaction(h.t.db, testActor, (tx) => linkExternalIdentity(tx, 'oidc:https://idp.acme.example', 'ada-sub', ada));
    const found = await call(h, c.as.sysAdmin, 'GET', '/api/v1/accounts?email=ADA@acme.example');
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual([
      expect.objectContaining({ id: ada, email: 'ada@acme.example', systemAdmin: false, identities: [expect.objectContaining({ provider: 'oidc:https://idp.acme.example', externalId: 'ada-sub' })] }),
    ]);
    const gone = await call(h, c.as.sysAdmin, 'DELETE', `/api/v1/accounts/${ada}/identities`, { provider: 'oidc:https://idp.acme.example', externalId: 'ada-sub' });
    expect(gone.status).toBe(204);
    expect(await h.t.db('external_identities').where({ account_id: ada })).toHaveLength(0);
    const audit = await h.t.db('audit_log').where({ action: 'identity.unlink', target_id: ada }).first();
    expect(audit).toMatchObject({ actor_id: c.as.sysAdmin.accountId, before: { provider: 'oidc:https://idp.acme.example', externalId: 'ada-sub' } });
    expect((await call(h, c.as.sysAdmin, 'DELETE', `/api/v1/accounts/${ada}/identities`, { provider: 'oidc:https://idp.acme.example', externalId: 'ada-sub' })).status).toBe(404);
    expect((await call(h, c.as.sysAdmin, 'GET', '/api/v1/accounts/not-an-id')).status).toBe(404);
    expect((await call(h, c.as.sysAdmin, 'DELETE', `/api/v1/accounts/${ada}/identities`, { provider: '' })).status).toBe(422);
  });

  it('an organization admin, a member and an admin API key are refused (403): accounts span organizations', async () => {
    const olga = c.as.outsider.accountId;
    for (const who of [c.as.admin, c.as.member, c.as.adminKey]) {
      expect((await call(h, who, 'GET', `/api/v1/accounts?email=olga@other.example`)).status).toBe(403);
      expect((await call(h, who, 'DELETE', `/api/v1/accounts/${olga}/identities`, { provider: 'x', externalId: 'y' })).status).toBe(403);
    }
  });
});
