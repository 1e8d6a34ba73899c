import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveDomain } from '../../src/domain/domain-verification.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { testActor } from '../support/factories.ts';
import { call, lastAudit, makeCast, startHarness, type Cast, type Harness } from './harness.ts';

// The admin API's claimed domains: claim (pending, with the TXT record to publish),
// verify on demand against a DNS server on loopback (DNS_SERVERS), refusals, release,
// and two organizations on one domain. The app's clock is fixed (and moved by hand).

const NOW = new Date('2026-11-24T12:00:00Z');
const DAY = 86_400_000;
let clock = NOW;

let dns: TestDnsServer;
let h: Harness;
let c: Cast;
let base: string;
let otherBase: string;
beforeAll(async () => {
  dns = await startDnsServer();
  h = await startHarness({ DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: '200', DOMAIN_REFUSE: 'refused.example', DOMAIN_PENDING_TTL_DAYS: '3' }, { now: () => clock });
  c = await makeCast(h);
  base = `/api/v1/orgs/${c.org.slug}`;
  otherBase = `/api/v1/orgs/${c.other.slug}`;
});
afterAll(async () => {
  await h?.close();
  await dns?.close();
});

const TOKEN_VALUE = /^orgbridge-verification=[0-9a-f]{32}$/;

describe('claiming', () => {
  it('a new claim is 201, pending, with the TXT record to publish and its expiry; claiming it again is 200 with it as it stands', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'Acme.Example.' });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`${base}/domains/acme.example`);
    expect(r.body).toEqual({
      domain: 'acme.example',
      status: 'pending',
      createdAt: NOW.toISOString(),
      expiresAt: new Date(NOW.getTime() + 3 * DAY).toISOString(),
      verifiedAt: null,
      verifiedBy: null,
      lastCheckedAt: null,
      challenge: { type: 'TXT', name: '_orgbridge-challenge.acme.example', value: expect.stringMatching(TOKEN_VALUE) },
    });
    expect(await lastAudit(h, c.org.id, 'org.domain.claim')).toMatchObject({ actor_type: 'user', target_id: 'acme.example', after: { domain: 'acme.example', status: 'pending' } });

    const again = await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'acme.example' });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBeNull();
    expect(again.body).toEqual(r.body);
    expect(await h.t.db('audit_log').where({ org_id: c.org.id, action: 'org.domain.claim' })).toHaveLength(1);

    expect((await call(h, c.as.admin, 'GET', `${base}/domains`)).body.items).toEqual([r.body]);
    expect((await call(h, c.as.member, 'GET', base)).body.domains).toEqual([r.body]);
  });

  it('refuses public email providers, public suffixes and the operator\'s list with 422 and a message; nothing is written', async () => {
    const before = await h.t.db('audit_log').count<{ n: number }>({ n: '*' }).first();
    const cases: [string, string, RegExp][] = [
      ['gmail.com', 'email_provider', /^gmail\.com is a public email provider/],
      ['outlook.com', 'email_provider', /^outlook\.com is a public email provider/],
      ['co.uk', 'public_suffix', /^co\.uk is a public suffix/],
      ['github.io', 'public_suffix', /^github\.io is a public suffix/],
      ['refused.example', 'refused_by_operator', /DOMAIN_REFUSE/],
      ['not a domain', 'invalid', /is not a domain name/],
    ];
    for (const [domain, reason, message] of cases) {
      const r = await call(h, c.as.admin, 'POST', `${base}/domains`, { domain });
      expect(r.status, domain).toBe(422);
      expect(r.body.error.code, domain).toBe('invalid');
      expect(r.body.error.message, domain).toMatch(message);
      if (reason !== 'invalid') expect(r.body.error.details, domain).toEqual({ domain, reason });
    }
    const after = await h.t.db('audit_log').count<{ n: number }>({ n: '*' }).first();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });
});

describe('verifying', () => {
  it('without the record: 200, still pending, and why; with it: verified, audited; again: nothing to do', async () => {
    const claimed = (await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'verify.example' })).body;
    dns.txt.set(claimed.challenge.name, ['something-else']);
    const notYet = await call(h, c.as.admin, 'POST', `${base}/domains/verify.example/verify`);
    expect(notYet.status).toBe(200);
    expect(notYet.body).toMatchObject({
      domain: 'verify.example',
      status: 'pending',
      lastCheckedAt: NOW.toISOString(),
      challenge: claimed.challenge,
      check: { verified: false, reason: `the TXT records at _orgbridge-challenge.verify.example do not include ${claimed.challenge.value}` },
    });

    dns.txt.set(claimed.challenge.name, [claimed.challenge.value]);
    const ok = await call(h, c.as.adminKey, 'POST', `${base}/domains/Verify.Example/verify`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ domain: 'verify.example', status: 'verified', verifiedBy: 'dns', verifiedAt: NOW.toISOString(), expiresAt: null, challenge: null, check: { verified: true, reason: null } });
    expect(await lastAudit(h, c.org.id, 'org.domain.verify')).toMatchObject({ actor_type: 'api_key', target_id: 'verify.example', after: { domain: 'verify.example', status: 'verified', verifiedBy: 'dns' } });

    const again = await call(h, c.as.admin, 'POST', `${base}/domains/verify.example/verify`);
    expect(again.body).toMatchObject({ status: 'verified', check: null });
    // Claiming a domain the organization holds answers with its state, not a new claim.
    expect(await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'verify.example' })).toMatchObject({ status: 200, body: { status: 'verified' } });
  });

  it('a DNS server that does not answer, or no such name, is "not verified yet" (200), never a 500', async () => {
    await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'slow.example' });
    dns.silent.add('_orgbridge-challenge.slow.example');
    const slow = await call(h, c.as.admin, 'POST', `${base}/domains/slow.example/verify`);
    expect(slow.status).toBe(200);
    expect(slow.body).toMatchObject({ status: 'pending', check: { verified: false, reason: 'the DNS servers did not answer for _orgbridge-challenge.slow.example in time' } });
    dns.silent.delete('_orgbridge-challenge.slow.example');
    const missing = await call(h, c.as.admin, 'POST', `${base}/domains/slow.example/verify`);
    expect(missing.body).toMatchObject({ status: 'pending', check: { verified: false, reason: '_orgbridge-challenge.slow.example does not exist in DNS yet' } });
  });

  it('404 for a domain the organization has not claimed, 422 for a name that is not a domain, 410 past the claim\'s expiry', async () => {
    expect((await call(h, c.as.admin, 'POST', `${base}/domains/unclaimed.example/verify`)).status).toBe(404);
    expect((await call(h, c.as.admin, 'POST', `${base}/domains/not_a_domain/verify`)).status).toBe(422);
    await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'lapsed.example' });
    clock = new Date(NOW.getTime() + 3 * DAY);
    try {
      // Three days on, every session is past its absolute lifetime (SESSION_TTL_HOURS); the
      // organization's API key has none.
      const r = await call(h, c.as.adminKey, 'POST', `${base}/domains/lapsed.example/verify`);
      expect(r.status).toBe(410);
      expect(r.body.error).toMatchObject({ code: 'expired', message: 'the claim on lapsed.example expired; claim it again for a new challenge' });
    } finally {
      clock = NOW;
    }
  });
});

describe('two organizations, one domain', () => {
  it('both may claim it pending; the first to verify holds it, the other\'s claim goes and a new one is 409', async () => {
    const ours = await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'contested.example' });
    const theirs = await call(h, c.as.outsider, 'POST', `${otherBase}/domains`, { domain: 'contested.example' });
    expect([ours.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.challenge.value).not.toBe(ours.body.challenge.value);
    dns.txt.set('_orgbridge-challenge.contested.example', [theirs.body.challenge.value]);
    // Our record is not there: still pending.
    expect((await call(h, c.as.admin, 'POST', `${base}/domains/contested.example/verify`)).body.status).toBe('pending');
    expect((await call(h, c.as.outsider, 'POST', `${otherBase}/domains/contested.example/verify`)).body.status).toBe('verified');

    expect((await call(h, c.as.admin, 'GET', `${base}/domains`)).body.items.map((d: { domain: string }) => d.domain)).not.toContain('contested.example');
    expect(await lastAudit(h, c.org.id, 'org.domain.supersede')).toMatchObject({ actor_type: 'system', target_id: 'contested.example' });
    const refused = await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'contested.example' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ code: 'conflict', message: 'the domain contested.example is already verified by another organization', details: { domain: 'contested.example' } });
    expect((await call(h, c.as.admin, 'POST', `${base}/domains/contested.example/verify`)).status).toBe(404);
  });
});

describe('releasing', () => {
  it('works for a pending and for a verified claim, audited with the status it had', async () => {
    await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'pending-gone.example' });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/domains/pending-gone.example`)).status).toBe(204);
    expect(await lastAudit(h, c.org.id, 'org.domain.release')).toMatchObject({ target_id: 'pending-gone.example', before: { domain: 'pending-gone.example', status: 'pending' } });

    await call(h, c.as.admin, 'POST', `${base}/domains`, { domain: 'verified-gone.example' });
    await runInTransaction(h.t.db, testActor, (tx) => approveDomain(tx, c.org.id, 'verified-gone.example', NOW));
    expect((await call(h, c.as.admin, 'DELETE', `${base}/domains/verified-gone.example`)).status).toBe(204);
    expect(await lastAudit(h, c.org.id, 'org.domain.release')).toMatchObject({ target_id: 'verified-gone.example', before: { domain: 'verified-gone.example', status: 'verified' } });
    expect((await call(h, c.as.admin, 'DELETE', `${base}/domains/verified-gone.example`)).status).toBe(404);
  });
});
