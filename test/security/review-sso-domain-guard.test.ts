import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { approveDomain } from '../../src/domain/domain-verification.ts';
import { claimDomain } from '../../src/domain/domains.ts';
import { providerTrust } from '../../src/domain/provisioning/provider-trust.ts';
import { provisionSignIn, type SignInClaims } from '../../src/domain/provisioning/sign-in.ts';
import { useTestDb } from '../support/db.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';

// Review (sign-in): an address in a domain an organization verified counts as unverified
// through a provider that organization does not trust (sign-in.ts signInTx). Accounts are
// keyed on lower(normalize(email, NFKC)), so the guard must look at the domain of that
// same key: "ceo@ｏwner.example" (a fullwidth o) IS ceo@owner.example to every account
// lookup, the managed-domain link and the invitation link.

const t = useTestDb();
const policy = { autoProvisioning: true, now: new Date('2026-11-24T12:00:00Z') };
// ｏ (U+FF4F) → o under NFKC: '\uff4fwner1.example' is owner1.example to every account lookup.
const fullwidth = (n: number) => `ceo@\uff4fwner${n}.example`;
let n = 0;
const claims = (sub: string, email: string | null, extra: Partial<SignInClaims> = {}): SignInClaims => ({
  provider: 'oidc:https://idp.example', externalId: sub, email, userName: null, displayName: null, givenName: null, familyName: null, groups: null, label: 'oidc:test', source: 'oidc:test', trust: providerTrust('oidc:test'), ...extra,
});

async function setUp() {
  const i = ++n;
  const owner = await makeOrg(t.db, `Owner Corp ${i}`);
  const attacker = await makeOrg(t.db, `Attacker Corp ${i}`);
  const domain = `owner${i}.example`;
  await runInTransaction(t.db, testActor, async (tx) => {
    await claimDomain(tx, owner.id, domain);
    await approveDomain(tx, owner.id, domain);
  });
  const attackersIdp = (sub: string, email: string) =>
    claims(sub, email, { source: 'oidc:attacker', trust: providerTrust('oidc:attacker', { orgs: [attacker.slug] }), provider: 'oidc:https://idp.attacker.example' });
  return { owner, attacker, attackersIdp, FULLWIDTH: fullwidth(i), CEO: `ceo@${domain}` };
}

describe('the verified-domain guard compares the address as accounts are keyed (NFKC)', () => {
  it('a compatibility form of the owner\u2019s domain from an untrusted provider makes no account holding the owner\u2019s address', async () => {
    const { owner, attacker, attackersIdp, FULLWIDTH, CEO } = await setUp();
    // The attacker's own waiting record, named with the compatibility form, and its IdP vouching for it.
    const forged = await makeMember(t.db, attacker.id, { userName: FULLWIDTH });
    await expect(provisionSignIn(t.db, attackersIdp('minted', FULLWIDTH), policy)).rejects.toMatchObject({ details: { reason: 'not_provisioned' } });
    expect(await t.db('accounts').where({ email_key: CEO })).toHaveLength(0);
    expect(await t.db('users').where({ id: forged.user.id }).first()).toMatchObject({ account_id: null });

    // So the owner's own record for its CEO is never linked (managed domain) to an account the attacker's IdP signs into.
    const { user: record } = await makeMember(t.db, owner.id, { userName: CEO });
    expect(record.account_id).toBeNull();
  });

  it('an existing account does not move onto the owner\u2019s address through the untrusted provider', async () => {
    const { owner, attacker, attackersIdp, FULLWIDTH, CEO } = await setUp();
    await makeMember(t.db, attacker.id, { userName: 'mallory@attacker.example' });
    const first = await provisionSignIn(t.db, attackersIdp('mallory', 'mallory@attacker.example'), policy);
    // Signing in again, the attacker's IdP now says the address is the CEO's (compatibility form).
    await provisionSignIn(t.db, attackersIdp('mallory', FULLWIDTH), policy);
    expect(await t.db('accounts').where({ id: first.accountId }).first()).toMatchObject({ email_key: 'mallory@attacker.example' });

    const { user: record } = await makeMember(t.db, owner.id, { userName: CEO });
    expect(record.account_id).toBeNull();
    // The real CEO, through a provider the owner trusts, signs in to an account of their own.
    const real = await provisionSignIn(t.db, claims('real-ceo', CEO, { provider: 'oidc:https://idp.owner.example' }), policy);
    expect(real.accountId).not.toBe(first.accountId);
    expect(await t.db('users').where({ id: record.id }).first()).toMatchObject({ account_id: real.accountId });
  });

  it('a provider the owner trusts still captures the compatibility form into the owner (it is the same address)', async () => {
    const { owner, FULLWIDTH } = await setUp();
    await t.db('organizations').where({ id: owner.id }).update({ auto_provisioning: true });
    const r = await provisionSignIn(t.db, claims('ceo', FULLWIDTH), policy);
    expect(r.joinedOrgId).toBe(owner.id);
  });
});
