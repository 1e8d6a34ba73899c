import { describe, expect, it } from 'vitest';
import { approveDomain } from '../../src/domain/domain-verification.ts';
import { claimDomain, emailDomain, findOrgByEmailDomain, listDomains, releaseDomain } from '../../src/domain/domains.ts';
import {
  createOrganization,
  findOrganization,
  renameOrganization,
  setDefaultTeam,
  slugify,
  updateOrganizationSettings,
} from '../../src/domain/organizations.ts';
import { deleteTeam } from '../../src/domain/teams.ts';
import { useTestDb } from '../support/db.ts';
import { auditRows, makeOrg, makeTeam } from '../support/factories.ts';

const t = useTestDb();
const run = t.run;

describe('organizations', () => {
  it('creates with a slug, finds by name/slug/id, renames, refuses duplicates', async () => {
    const org = await run((tx) => createOrganization(tx, { name: 'Ünïcorn Labs' }));
    expect(org.slug).toBe('unicorn-labs');
    expect((await findOrganization(t.db, 'ünïcorn labs'))?.id).toBe(org.id);
    expect((await findOrganization(t.db, 'unicorn-labs'))?.id).toBe(org.id);
    expect((await findOrganization(t.db, org.id))?.id).toBe(org.id);
    await expect(run((tx) => createOrganization(tx, { name: 'ÜNÏCORN LABS' }))).rejects.toMatchObject({ code: 'uniqueness' });
    const renamed = await run((tx) => renameOrganization(tx, org.id, 'Unicorn Research'));
    expect(renamed.name).toBe('Unicorn Research');
    const [row] = await auditRows(t.db, { org_id: org.id, action: 'org.rename' });
    expect(row).toMatchObject({ before: { name: 'Ünïcorn Labs' }, after: { name: 'Unicorn Research' } });
    await expect(run((tx) => createOrganization(tx, { name: '   ' }))).rejects.toMatchObject({ code: 'invalid' });
    expect(slugify('!!!')).toBe('org');
  });

  it('settings change with before/after audit', async () => {
    const org = await makeOrg(t.db);
    const after = await run((tx) => updateOrganizationSettings(tx, org.id, { autoProvisioning: true, domainCapture: true }));
    expect(after).toMatchObject({ auto_provisioning: true, domain_capture: true });
    const [row] = await auditRows(t.db, { org_id: org.id, action: 'org.settings' });
    expect(row).toMatchObject({ before: { auto_provisioning: false, domain_capture: false }, after: { auto_provisioning: true, domain_capture: true } });
  });

  it('default team must belong to the organization; deleting it clears the default', async () => {
    const a = await makeOrg(t.db);
    const b = await makeOrg(t.db);
    const teamB = await makeTeam(t.db, b.id);
    await expect(run((tx) => setDefaultTeam(tx, a.id, teamB.id))).rejects.toMatchObject({ code: 'not_found' });
    const teamA = await makeTeam(t.db, a.id);
    await run((tx) => setDefaultTeam(tx, a.id, teamA.id));
    expect((await t.db('organizations').where({ id: a.id }).first()).default_team_id).toBe(teamA.id);
    await run((tx) => deleteTeam(tx, a.id, teamA.id));
    expect((await t.db('organizations').where({ id: a.id }).first()).default_team_id).toBeNull();
  });
});

describe('claimed domains', () => {
  it('a domain belongs to at most one organization: the one that verified it', async () => {
    const a = await makeOrg(t.db);
    const b = await makeOrg(t.db);
    expect(await run((tx) => claimDomain(tx, a.id, 'Acme.Example.'))).toMatchObject({ created: true, claim: { domain: 'acme.example', status: 'pending' } });
    expect(await run((tx) => claimDomain(tx, a.id, 'acme.example'))).toMatchObject({ created: false }); // idempotent for the owner
    await run((tx) => approveDomain(tx, a.id, 'acme.example'));
    await expect(run((tx) => claimDomain(tx, b.id, 'ACME.example'))).rejects.toMatchObject({ code: 'conflict' });
    expect((await listDomains(t.db, a.id)).map((d) => d.domain)).toEqual(['acme.example']);
    expect(await auditRows(t.db, { org_id: a.id, action: 'org.domain.claim' })).toHaveLength(1);
    await run((tx) => releaseDomain(tx, a.id, 'acme.example'));
    await run((tx) => claimDomain(tx, b.id, 'acme.example'));
    expect(await findOrgByEmailDomain(t.db, 'x@acme.example')).toBeUndefined(); // pending
    await run((tx) => approveDomain(tx, b.id, 'acme.example'));
    expect((await findOrgByEmailDomain(t.db, 'x@acme.example'))?.id).toBe(b.id);
  });

  it('refuses what is not a domain name', async () => {
    const a = await makeOrg(t.db);
    for (const bad of ['', 'localhost', 'a..b', '-x.example', 'x.example/evil', 'x@y.example', '*.example.com']) {
      await expect(run((tx) => claimDomain(tx, a.id, bad)), bad).rejects.toMatchObject({ code: 'invalid' });
    }
  });

  it('matches email domains exactly', async () => {
    const org = await makeOrg(t.db);
    await run(async (tx) => {
      await claimDomain(tx, org.id, 'corp.example');
      await approveDomain(tx, org.id, 'corp.example');
    });
    expect((await findOrgByEmailDomain(t.db, 'Jane@CORP.example'))?.id).toBe(org.id);
    for (const email of ['x@sub.corp.example', 'x@corp.example.evil', 'x@notcorp.example', 'corp.example', 'a@b@corp.example', '@corp.example']) {
      expect(await findOrgByEmailDomain(t.db, email), email).toBeUndefined();
    }
    expect(emailDomain('a@b@corp.example')).toBeNull();
  });
});
