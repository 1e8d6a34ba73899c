import { describe, expect, it } from 'vitest';
import { providerTrust } from '../../src/domain/provisioning/provider-trust.ts';
import { provisionSignIn, type SignInClaims } from '../../src/domain/provisioning/sign-in.ts';
import { useTestDb } from '../support/db.ts';
import { createAccount } from '../../src/domain/accounts.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';

// The sign-in decision on its own (the OIDC and LDAP end-to-end tests drive it through
// real servers): which account, which links, and who becomes system admin.

const t = useTestDb();
const policy = { autoProvisioning: true, now: new Date('2026-11-24T12:00:00Z') };
const claims = (sub: string, email: string | null, extra: Partial<SignInClaims> = {}): SignInClaims => ({
  provider: 'oidc:https://idp.example', externalId: sub, email, userName: null, displayName: null, givenName: null, familyName: null, groups: null, label: 'oidc:test', source: 'oidc:test', trust: providerTrust('oidc:test'), ...extra,
});

describe('system admin at sign-in', () => {
  it('is never the first sign-in of a deployment that has organizations, even with no system admin', async () => {
    expect(await t.db('accounts').where({ system_admin: true })).toHaveLength(0);
    const org = await makeOrg(t.db);
    await makeMember(t.db, org.id, { userName: 'first@corp.example' });
    const r = await provisionSignIn(t.db, claims('first', 'first@corp.example'), policy);
    expect(r.systemAdmin).toBe(false);
    expect(await t.db('accounts').where({ system_admin: true })).toHaveLength(0);
    expect(await t.db('audit_log').where({ action: 'system_admin.first' })).toHaveLength(0);
    // and a person in no organization is refused rather than handed the instance
    await expect(provisionSignIn(t.db, claims('nobody', 'nobody@else.example'), policy)).rejects.toMatchObject({ details: { reason: 'not_provisioned' } });
    expect(await t.db('accounts').where({ email: 'nobody@else.example' })).toHaveLength(0);
  });
});

describe('links by proof', () => {
  it('links the one waiting record per organization whose userName or primary email is the verified address, nothing else', async () => {
    const a = await makeOrg(t.db);
    const b = await makeOrg(t.db);
    const byName = await makeMember(t.db, a.id, { userName: 'Kim@corp.example', email: 'kim.other@corp.example' });
    const byEmail = await makeMember(t.db, b.id, { userName: 'kim', email: 'KIM@corp.example' });
    const secondary = await makeMember(t.db, a.id, { userName: 'kim2' });
    await t.db('user_emails').insert({ user_id: secondary.user.id, value: 'kim@corp.example', type: 'home', primary: false, position: 0 });
    const r = await provisionSignIn(t.db, claims('kim', 'kim@corp.example'), policy);
    const linked = await t.db('users').where({ account_id: r.accountId }).orderBy('org_id').pluck('id');
    expect(linked.sort()).toEqual([byName.user.id, byEmail.user.id].sort());
    expect(await t.db('users').where({ id: secondary.user.id }).first()).toMatchObject({ account_id: null });
    expect(await t.db('audit_log').where({ action: 'member.link', target_id: byName.user.id, org_id: a.id })).toHaveLength(1);
  });

  it('an unverified address (null) links nothing and makes no account', async () => {
    const org = await makeOrg(t.db);
    await makeMember(t.db, org.id, { userName: 'lou@corp.example' });
    await expect(provisionSignIn(t.db, claims('lou', null), policy)).rejects.toMatchObject({ details: { reason: 'not_provisioned' } });
    expect(await t.db('users').where({ org_id: org.id, user_name: 'lou@corp.example' }).first()).toMatchObject({ account_id: null });
    expect(await t.db('external_identities').where({ external_id: 'lou' })).toHaveLength(0);
  });
});

describe('addresses in a verified domain', () => {
  it('count as unverified through a provider the domain\u2019s organization does not trust: nothing is linked or made', async () => {
    const { claimDomain } = await import('../../src/domain/domains.ts');
    const { approveDomain } = await import('../../src/domain/domain-verification.ts');
    const { runInTransaction } = await import('../../src/domain/context.ts');
    const { testActor } = await import('../support/factories.ts');
    const owner = await makeOrg(t.db, 'Owner Corp');
    const attacker = await makeOrg(t.db, 'Attacker Corp');
    await runInTransaction(t.db, testActor, async (tx) => {
      await claimDomain(tx, owner.id, 'owner.example');
      await approveDomain(tx, owner.id, 'owner.example');
    });
    // The attacker's own record with the victim's address, and its IdP vouching for it.
    const forged = await makeMember(t.db, attacker.id, { userName: 'ceo@owner.example' });
    const attackersIdp = providerTrust('oidc:attacker', { orgs: [attacker.slug] });
    const c = claims('minted', 'ceo@owner.example', { source: 'oidc:attacker', trust: attackersIdp, provider: 'oidc:https://idp.attacker.example' });
    await expect(provisionSignIn(t.db, c, policy)).rejects.toMatchObject({ details: { reason: 'not_provisioned' } });
    expect(await t.db('accounts').where({ email_key: 'ceo@owner.example' })).toHaveLength(0);
    expect(await t.db('users').where({ id: forged.user.id }).first()).toMatchObject({ account_id: null });
    // A provider the owner trusts may vouch for it (and the attacker's waiting record links too, as it names the address).
    const r = await provisionSignIn(t.db, claims('real-ceo', 'ceo@owner.example', { provider: 'oidc:https://idp.owner.example' }), policy);
    expect(r.accountId).toBeTruthy();
  });
});

describe('the deployment administrator’s account', () => {
  it("an organization's own provider cannot join the deployment administrator's account by email; one trusted everywhere can", async () => {
    const org = await makeOrg(t.db);
    // The operator's account: a system admin in no organization (as `orgbridge system-admin grant` leaves one).
    const ops = await runInTransaction(t.db, testActor, (tx) => createAccount(tx, { email: 'ops@operator.example', displayName: 'Ops' }));
    await t.db('accounts').where({ id: ops.id }).update({ system_admin: true });
    const admin = { accountId: ops.id };
    // A provider one tenant configured (trusted for that organization only) asserts the same address.
    const limited = providerTrust('oidc:tenant', { orgs: [org.slug] });
    await expect(provisionSignIn(t.db, claims('intruder', 'ops@operator.example', { provider: 'oidc:https://idp.tenant.example', trust: limited, displayName: 'Not Ops' }), policy)).rejects.toMatchObject({ details: { reason: 'identity_conflict' } });
    expect(await t.db('external_identities').where({ account_id: admin.accountId })).toHaveLength(0);
    expect((await t.db('accounts').where({ id: admin.accountId }).first()).display_name).toBe('Ops');
    // A provider trusted for every organization may (the operator's own second IdP).
    const again = await provisionSignIn(t.db, claims('ops-2', 'ops@operator.example', { provider: 'oidc:https://idp2.operator.example' }), policy);
    expect(again.accountId).toBe(admin.accountId);
  });
});
