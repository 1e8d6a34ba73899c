import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction, type Actor } from '../../src/domain/context.ts';
import { approveDomain, challengeName, challengeValue, checkPendingDomains, verifyDomain } from '../../src/domain/domain-verification.ts';
import { claimDomain, findOrgByEmailDomain, listDomains, releaseDomain } from '../../src/domain/domains.ts';
import { updateOrganizationSettings } from '../../src/domain/organizations.ts';
import { providerTrust } from '../../src/domain/provisioning/provider-trust.ts';
import { provisionSignIn, type SignInClaims } from '../../src/domain/provisioning/sign-in.ts';
import type { DomainClaimRow } from '../../src/domain/types.ts';
import { createTxtResolver, type TxtResolver } from '../../src/lib/txt-resolver.ts';
import { runMaintenance } from '../../src/maintenance.ts';
import { useTestDb } from '../support/db.ts';
import { closedDnsPort, startDnsServer, startSilentDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { auditRows, makeMember, makeOrg } from '../support/factories.ts';

// Claimed domains are pending until verified (SPEC §1): what may be claimed, the DNS TXT
// challenge (against a dns2 server on loopback: no network), operator approval, several
// organizations' pending claims, expiry, and capture only by verified domains.

const t = useTestDb();
const run = t.run;
const admin: Actor = { type: 'user', id: null, label: 'ada@acme.example' };

// Every clock in this file is fixed: nothing depends on today's date.
const T0 = new Date('2026-11-24T12:00:00Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

let dns: TestDnsServer;
let resolver: TxtResolver;
beforeAll(async () => {
  dns = await startDnsServer();
  resolver = createTxtResolver({ servers: [dns.address], timeoutMs: 1000 });
});
afterAll(async () => {
  await dns?.close();
});

const claim = (orgId: string, domain: string, opts: Parameters<typeof claimDomain>[3] = {}) => run((tx) => claimDomain(tx, orgId, domain, { now: T0, ...opts }));
const publish = (c: DomainClaimRow, ...records: (string | string[])[]) => dns.txt.set(challengeName(c.domain), records.length ? records : [challengeValue(c.challenge_token)]);
const claimRow = (orgId: string, domain: string) => t.db('org_domains').where({ org_id: orgId, domain }).first() as Promise<DomainClaimRow | undefined>;

describe('what may be claimed', () => {
  it('refuses public email providers, public suffixes and the operator\'s refusals, with the reason', async () => {
    const org = await makeOrg(t.db);
    const cases: [string, string, RegExp][] = [
      ['gmail.com', 'email_provider', /^gmail\.com is a public email provider/],
      ['Outlook.COM', 'email_provider', /^outlook\.com is a public email provider/],
      ['mail.gmail.com', 'email_provider', /^mail\.gmail\.com is under gmail\.com, which is a public email provider/],
      ['co.uk', 'public_suffix', /^co\.uk is a public suffix/],
      ['github.io', 'public_suffix', /^github\.io is a public suffix/],
      ['corp.example', 'refused_by_operator', /refused by this deployment's configuration \(DOMAIN_REFUSE\)/],
      ['eu.corp.example', 'refused_by_operator', /^eu\.corp\.example is under corp\.example/],
    ];
    for (const [domain, reason, message] of cases) {
      const err = await claim(org.id, domain, { refuse: ['corp.example'] }).catch((e: unknown) => e);
      expect(err, domain).toMatchObject({ code: 'invalid', details: { reason } });
      expect((err as Error).message, domain).toMatch(message);
    }
    expect(await listDomains(t.db, org.id)).toEqual([]);
    expect(await auditRows(t.db, { org_id: org.id, action: 'org.domain.claim' })).toHaveLength(0);
  });

  it('accepts a registrable domain, a subdomain of one, and names under TLDs the list does not know', async () => {
    const org = await makeOrg(t.db);
    for (const domain of ['acme-corp.co.uk', 'eu.acme-corp.co.uk', 'acme.github.io', 'acme.corp', 'example.org']) {
      expect((await claim(org.id, domain)).claim.domain).toBe(domain);
    }
  });
});

describe('a claim', () => {
  it('starts pending with its own challenge and an expiry; claiming it again answers with it as it stands', async () => {
    const org = await makeOrg(t.db);
    const first = await claim(org.id, 'Initech.Example.', { pendingTtlDays: 3 });
    expect(first.created).toBe(true);
    expect(first.claim).toMatchObject({ domain: 'initech.example', status: 'pending', verified_at: null, verified_by: null, last_checked_at: null });
    expect(first.claim.challenge_token).toMatch(/^[0-9a-f]{32}$/);
    expect(new Date(first.claim.expires_at!).getTime()).toBe(T0.getTime() + 3 * DAY);
    const again = await claim(org.id, 'initech.example');
    expect(again).toEqual({ created: false, claim: first.claim });
    expect(await auditRows(t.db, { org_id: org.id, action: 'org.domain.claim' })).toEqual([
      expect.objectContaining({ target_id: 'initech.example', after: { domain: 'initech.example', status: 'pending', expiresAt: new Date(T0.getTime() + 3 * DAY).toISOString() } }),
    ]);
    // Another organization's claim carries another challenge.
    const other = await makeOrg(t.db);
    expect((await claim(other.id, 'initech.example')).claim.challenge_token).not.toBe(first.claim.challenge_token);
  });

  it('a pending claim captures nobody; once verified it does, and releasing it stops that', async () => {
    // Someone exists, so this is not the empty deployment's bootstrap sign-in.
    const bystander = await makeOrg(t.db);
    await makeMember(t.db, bystander.id);
    const org = await makeOrg(t.db);
    await run((tx) => updateOrganizationSettings(tx, org.id, { autoProvisioning: true }));
    await claim(org.id, 'hooli.example');
    const signIn = (sub: string) => {
      const c: SignInClaims = { provider: 'oidc:https://idp.example', externalId: sub, email: `${sub}@hooli.example`, userName: null, displayName: null, givenName: null, familyName: null, groups: null, label: 'oidc:test', source: 'oidc:test', trust: providerTrust('oidc:test') };
      return provisionSignIn(t.db, c, { autoProvisioning: true, now: T0 });
    };
    expect(await findOrgByEmailDomain(t.db, 'gavin@hooli.example')).toBeUndefined();
    await expect(signIn('gavin')).rejects.toMatchObject({ code: 'forbidden', details: { reason: 'not_provisioned' } });
    expect(await t.db('memberships').where({ org_id: org.id })).toHaveLength(0);

    await run((tx) => approveDomain(tx, org.id, 'hooli.example', T0));
    expect((await findOrgByEmailDomain(t.db, 'gavin@hooli.example'))?.id).toBe(org.id);
    expect(await signIn('gavin')).toMatchObject({ createdAccount: true, joinedOrgId: org.id });

    await run((tx) => releaseDomain(tx, org.id, 'hooli.example'));
    expect(await findOrgByEmailDomain(t.db, 'richard@hooli.example')).toBeUndefined();
    await expect(signIn('richard')).rejects.toMatchObject({ details: { reason: 'not_provisioned' } });
    expect(await auditRows(t.db, { org_id: org.id, action: 'org.domain.release' })).toEqual([expect.objectContaining({ before: { domain: 'hooli.example', status: 'verified' } })]);
  });

  it('release works while pending too; releasing what the organization does not hold is not found', async () => {
    const org = await makeOrg(t.db);
    await claim(org.id, 'pending-release.example');
    await run((tx) => releaseDomain(tx, org.id, 'pending-release.example'));
    expect(await claimRow(org.id, 'pending-release.example')).toBeUndefined();
    await expect(run((tx) => releaseDomain(tx, org.id, 'pending-release.example'))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('verification by DNS TXT record', () => {
  it('a wrong value leaves the claim pending with the reason; the right value verifies it, with an audit row', async () => {
    const org = await makeOrg(t.db);
    const { claim: c } = await claim(org.id, 'globex.example');
    dns.txt.set(challengeName(c.domain), ['v=spf1 -all', 'orgbridge-verification=not-the-token']);
    const wrong = await verifyDomain(t.db, admin, org.id, 'globex.example', { resolver, now: at(60_000) });
    expect(wrong.check).toEqual({ found: false, reason: `the TXT records at _orgbridge-challenge.globex.example do not include ${challengeValue(c.challenge_token)}` });
    expect(wrong.claim).toMatchObject({ status: 'pending', last_checked_at: at(60_000) });
    expect(await auditRows(t.db, { org_id: org.id, action: 'org.domain.verify' })).toHaveLength(0);
    expect(await findOrgByEmailDomain(t.db, 'x@globex.example')).toBeUndefined();

    publish(c, 'v=spf1 -all', challengeValue(c.challenge_token));
    const right = await verifyDomain(t.db, admin, org.id, 'Globex.Example', { resolver, now: at(120_000) });
    expect(right.check).toEqual({ found: true });
    expect(right.claim).toMatchObject({ status: 'verified', verified_by: 'dns', verified_at: at(120_000), expires_at: null });
    expect(await auditRows(t.db, { org_id: org.id, action: 'org.domain.verify' })).toEqual([
      expect.objectContaining({ actor_type: 'user', actor_label: 'ada@acme.example', target_id: 'globex.example', after: { domain: 'globex.example', status: 'verified', verifiedBy: 'dns' } }),
    ]);
    expect((await findOrgByEmailDomain(t.db, 'x@globex.example'))?.id).toBe(org.id);
    // Verified already: no lookup, nothing changes.
    const asked = dns.queries.length;
    expect(await verifyDomain(t.db, admin, org.id, 'globex.example', { resolver, now: at(180_000) })).toMatchObject({ check: null, claim: { status: 'verified' } });
    expect(dns.queries.length).toBe(asked);
  });

  it('reads a record that arrives in chunks', async () => {
    const org = await makeOrg(t.db);
    const { claim: c } = await claim(org.id, 'chunked.example');
    const value = challengeValue(c.challenge_token);
    publish(c, [value.slice(0, 10), value.slice(10)]);
    expect((await verifyDomain(t.db, admin, org.id, 'chunked.example', { resolver, now: T0 })).claim.status).toBe('verified');
  });

  it('no record, no such name, a silent server and a closed port all mean "not verified yet", never an error', async () => {
    const org = await makeOrg(t.db);
    const { claim: c } = await claim(org.id, 'quiet.example');
    dns.txt.set(challengeName(c.domain), []);
    expect((await verifyDomain(t.db, admin, org.id, 'quiet.example', { resolver, now: T0 })).check).toEqual({ found: false, reason: 'no TXT record at _orgbridge-challenge.quiet.example yet' });
    dns.txt.delete(challengeName(c.domain));
    expect((await verifyDomain(t.db, admin, org.id, 'quiet.example', { resolver, now: T0 })).check).toEqual({ found: false, reason: '_orgbridge-challenge.quiet.example does not exist in DNS yet' });

    const silent = await startSilentDnsServer();
    try {
      const slow = createTxtResolver({ servers: [silent.address], timeoutMs: 50 });
      expect((await verifyDomain(t.db, admin, org.id, 'quiet.example', { resolver: slow, now: T0 })).check).toEqual({
        found: false,
        reason: 'the DNS servers did not answer for _orgbridge-challenge.quiet.example in time',
      });
    } finally {
      await silent.close();
    }
    const refused = createTxtResolver({ servers: [await closedDnsPort()], timeoutMs: 200 });
    const r = await verifyDomain(t.db, admin, org.id, 'quiet.example', { resolver: refused, now: T0 });
    expect(r.check).toMatchObject({ found: false, reason: expect.stringMatching(/_orgbridge-challenge\.quiet\.example/) });
    expect(r.claim.status).toBe('pending');
    expect(await auditRows(t.db, { org_id: org.id, action: 'org.domain.verify' })).toHaveLength(0);
  });

  it('a resolver failure that is not a DNS answer is a bug, and is thrown', async () => {
    const org = await makeOrg(t.db);
    await claim(org.id, 'broken.example');
    const broken: TxtResolver = { resolveTxt: () => Promise.reject(new TypeError('boom')) };
    await expect(verifyDomain(t.db, admin, org.id, 'broken.example', { resolver: broken, now: T0 })).rejects.toThrow(TypeError);
  });

  it('refuses a claim the organization does not hold (404) and one past its expiry (410)', async () => {
    const org = await makeOrg(t.db);
    await expect(verifyDomain(t.db, admin, org.id, 'nobody.example', { resolver, now: T0 })).rejects.toMatchObject({ code: 'not_found' });
    await claim(org.id, 'late.example', { pendingTtlDays: 1 });
    await expect(verifyDomain(t.db, admin, org.id, 'late.example', { resolver, now: at(DAY) })).rejects.toMatchObject({ code: 'expired' });
  });
});

describe('several organizations on one domain', () => {
  it('each may hold a pending claim; the first to verify wins and the others\' claims are removed, audited in their own logs', async () => {
    const squatter = await makeOrg(t.db);
    const owner = await makeOrg(t.db);
    const third = await makeOrg(t.db);
    await claim(squatter.id, 'umbrella.example');
    const { claim: mine } = await claim(owner.id, 'umbrella.example');
    await claim(third.id, 'umbrella.example');
    // The squatter cannot verify: the record carries the owner's challenge.
    publish(mine);
    expect((await verifyDomain(t.db, admin, squatter.id, 'umbrella.example', { resolver, now: T0 })).claim.status).toBe('pending');

    expect((await verifyDomain(t.db, admin, owner.id, 'umbrella.example', { resolver, now: T0 })).claim.status).toBe('verified');
    expect(await t.db('org_domains').where({ domain: 'umbrella.example' }).pluck('org_id')).toEqual([owner.id]);
    for (const loser of [squatter, third]) {
      expect(await auditRows(t.db, { org_id: loser.id, action: 'org.domain.supersede' })).toEqual([
        expect.objectContaining({ actor_type: 'system', target_id: 'umbrella.example', before: { domain: 'umbrella.example', status: 'pending' }, reason: 'another organization verified this domain first' }),
      ]);
    }
    // Now the domain is the owner's: a new claim, a verification or an approval elsewhere is refused.
    await expect(claim(squatter.id, 'umbrella.example')).rejects.toMatchObject({ code: 'conflict', message: 'the domain umbrella.example is already verified by another organization' });
    await expect(verifyDomain(t.db, admin, squatter.id, 'umbrella.example', { resolver, now: T0 })).rejects.toMatchObject({ code: 'not_found' });
    // The database holds the rule too: one verified claim per domain.
    await expect(
      t.db('org_domains').insert({ domain: 'umbrella.example', org_id: third.id, status: 'verified', challenge_token: 'x', verified_at: T0, verified_by: 'operator' }),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('two verifications at once: exactly one wins, the other is refused', async () => {
    const a = await makeOrg(t.db);
    const b = await makeOrg(t.db);
    const { claim: ca } = await claim(a.id, 'race.example');
    const { claim: cb } = await claim(b.id, 'race.example');
    publish(ca, challengeValue(ca.challenge_token), challengeValue(cb.challenge_token));
    const other = t.testDb.openAnother(2);
    const results = await Promise.allSettled([
      verifyDomain(t.db, admin, a.id, 'race.example', { resolver, now: T0 }),
      verifyDomain(other, admin, b.id, 'race.example', { resolver, now: T0 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(['conflict', 'not_found']).toContain((refused.reason as { code: string }).code);
    expect(await t.db('org_domains').where({ domain: 'race.example' })).toEqual([expect.objectContaining({ status: 'verified' })]);
  });

  it('an operator approval settles it the same way', async () => {
    const a = await makeOrg(t.db);
    const b = await makeOrg(t.db);
    await claim(a.id, 'intranet.corp');
    await claim(b.id, 'intranet.corp');
    const approved = await runInTransaction(t.db, { type: 'cli', id: null, label: 'cli:op' }, (tx) => approveDomain(tx, b.id, 'intranet.corp', T0));
    expect(approved).toMatchObject({ status: 'verified', verified_by: 'operator', verified_at: T0, expires_at: null });
    expect(await claimRow(a.id, 'intranet.corp')).toBeUndefined();
    expect(await auditRows(t.db, { org_id: b.id, action: 'org.domain.verify' })).toEqual([expect.objectContaining({ actor_type: 'cli', actor_label: 'cli:op', after: { domain: 'intranet.corp', status: 'verified', verifiedBy: 'operator' } })]);
    await expect(run((tx) => approveDomain(tx, a.id, 'intranet.corp', T0))).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('maintenance', () => {
  it('deletes pending claims once their time is up (audited), never verified ones', async () => {
    // From a base after every other claim of this file has lapsed (and been swept).
    const base = 40 * DAY;
    await runMaintenance(t.db, at(base));
    const org = await makeOrg(t.db);
    await claim(org.id, 'stale.example', { pendingTtlDays: 7, now: at(base) });
    await claim(org.id, 'kept.example', { pendingTtlDays: 7, now: at(base) });
    await run((tx) => approveDomain(tx, org.id, 'kept.example', at(base)));
    expect((await runMaintenance(t.db, at(base + 7 * DAY - 1))).domainsExpired).toBe(0);
    expect((await claimRow(org.id, 'stale.example'))?.status).toBe('pending');
    expect((await runMaintenance(t.db, at(base + 7 * DAY))).domainsExpired).toBe(1);
    expect(await claimRow(org.id, 'stale.example')).toBeUndefined();
    expect((await claimRow(org.id, 'kept.example'))?.status).toBe('verified');
    expect(await auditRows(t.db, { org_id: org.id, action: 'org.domain.expire' })).toEqual([
      expect.objectContaining({ actor_type: 'system', target_id: 'stale.example', before: { domain: 'stale.example', status: 'pending', expiresAt: at(base + 7 * DAY).toISOString() } }),
    ]);
    expect((await runMaintenance(t.db, at(base + 30 * DAY))).domainsExpired).toBe(0);
  });

  it('looks up pending claims\' records and verifies those that have theirs, least recently checked first', async () => {
    const org = await makeOrg(t.db);
    // Long after every other claim of this file has expired, so that only these are due.
    const later = at(100 * DAY);
    const { claim: ready } = await claim(org.id, 'ready.example', { now: later });
    await claim(org.id, 'notyet.example', { now: later });
    publish(ready);
    expect(await checkPendingDomains(t.db, resolver, at(100 * DAY + 1))).toBe(1);
    expect((await claimRow(org.id, 'ready.example'))?.verified_by).toBe('dns');
    expect(await claimRow(org.id, 'notyet.example')).toMatchObject({ status: 'pending', last_checked_at: at(100 * DAY + 1) });
    // Checked a minute ago: not looked up again before the recheck interval.
    const asked = dns.queries.length;
    expect(await checkPendingDomains(t.db, resolver, at(100 * DAY + 60_000))).toBe(0);
    expect(dns.queries.length).toBe(asked);
    expect(await runMaintenance(t.db, at(100 * DAY + 10 * 60_000), { resolver })).toMatchObject({ domainsVerified: 0 });
    expect(dns.queries.slice(asked)).toEqual(['_orgbridge-challenge.notyet.example']);
  });
});
