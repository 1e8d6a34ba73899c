import { describe, expect, it } from 'vitest';
import { createPerson, updatePerson } from '../../src/domain/people.ts';
import { setSeatLicense, updateOrganizationSettings } from '../../src/domain/organizations.ts';
import { createRoleGroup, deleteRoleGroup, listRoleGroups } from '../../src/domain/role-groups.ts';
import { createServiceAccount, revokeApiKey } from '../../src/domain/service-accounts.ts';
import { createServiceAccountKey } from '../../src/domain/service-account-keys.ts';
import { setModelsSeat } from '../../src/domain/memberships.ts';
import { useTestDb } from '../support/db.ts';
import { auditRows, makeMember, makeOrg, makeTeam } from '../support/factories.ts';

// Refusal paths of the smaller commands: each refusal leaves the stored state as it was.

const t = useTestDb();
const run = t.run;

describe('refusals', () => {
  it('seat license values must be whole and non-negative', async () => {
    const org = await makeOrg(t.db);
    await expect(run((tx) => setSeatLicense(tx, org.id, { fullSeats: -1, viewerSeats: null }))).rejects.toMatchObject({ code: 'invalid' });
    await expect(run((tx) => setSeatLicense(tx, org.id, { fullSeats: 1.5, viewerSeats: null }))).rejects.toMatchObject({ code: 'invalid' });
    expect((await t.db('organizations').where({ id: org.id }).first()).models_full_seats).toBeNull();
    expect(await auditRows(t.db, { org_id: org.id, action: 'org.seat_license' })).toHaveLength(0);
  });

  it('moving a member to a full seat respects the license', async () => {
    const org = await makeOrg(t.db);
    await run((tx) => setSeatLicense(tx, org.id, { fullSeats: 1, viewerSeats: null }));
    await makeMember(t.db, org.id);
    const v = await makeMember(t.db, org.id, { modelsSeat: 'viewer' });
    await expect(run((tx) => setModelsSeat(tx, org.id, v.user.id, 'full'))).rejects.toMatchObject({ code: 'seat_limit' });
    expect((await t.db('memberships').where({ id: v.membership.id }).first()).models_seat).toBe('viewer');
    expect(await auditRows(t.db, { org_id: org.id, action: 'member.seat', outcome: 'refused' })).toHaveLength(1);
  });

  it('organization settings accept only known values', async () => {
    const org = await makeOrg(t.db);
    await expect(run((tx) => updateOrganizationSettings(tx, org.id, { defaultModelsSeat: 'gold' as never }))).rejects.toMatchObject({ code: 'invalid' });
    await expect(run((tx) => updateOrganizationSettings(tx, org.id, { seatOverflow: 'evict' as never }))).rejects.toMatchObject({ code: 'invalid' });
  });

  it('service accounts: a team of another organization, an unknown key', async () => {
    const org = await makeOrg(t.db);
    const other = await makeOrg(t.db);
    const foreign = await makeTeam(t.db, other.id);
    await expect(run((tx) => createServiceAccount(tx, org.id, { name: 'bot', teamId: foreign.id }))).rejects.toMatchObject({ code: 'not_found' });
    await expect(run((tx) => createServiceAccount(tx, org.id, { name: '  ' }))).rejects.toMatchObject({ code: 'invalid' });
    const sa = await run((tx) => createServiceAccount(tx, other.id, { name: 'bot' }));
    await expect(run((tx) => createServiceAccountKey(tx, org.id, sa.id))).rejects.toMatchObject({ code: 'not_found' });
    await expect(run((tx) => revokeApiKey(tx, org.id, crypto.randomUUID()))).rejects.toMatchObject({ code: 'not_found' });
    expect(await t.db('service_accounts').where({ org_id: org.id })).toHaveLength(0);
  });

  it('role groups: one grant each, teams of this organization, delete only what exists', async () => {
    const org = await makeOrg(t.db);
    const other = await makeOrg(t.db);
    const foreign = await makeTeam(t.db, other.id);
    await expect(run((tx) => createRoleGroup(tx, org.id, 'x', { teamId: foreign.id, teamRole: 'admin' }, 'scim'))).rejects.toMatchObject({ code: 'not_found' });
    await expect(run((tx) => createRoleGroup(tx, org.id, ' ', { orgRole: 'admin' }, 'scim'))).rejects.toMatchObject({ code: 'invalid' });
    await expect(run((tx) => deleteRoleGroup(tx, org.id, crypto.randomUUID()))).rejects.toMatchObject({ code: 'not_found' });
    const g = await run((tx) => createRoleGroup(tx, org.id, 'admins', { orgRole: 'admin' }, 'scim'));
    await expect(run((tx) => deleteRoleGroup(tx, other.id, g.id))).rejects.toMatchObject({ code: 'not_found' });
    await run((tx) => deleteRoleGroup(tx, org.id, g.id));
    expect(await listRoleGroups(t.db, org.id)).toEqual([]);
  });

  it('profile updates cannot take another record\u2019s userName in the organization; emails may be shared', async () => {
    const org = await makeOrg(t.db);
    const a = await run((tx) => createPerson(tx, org.id, { userName: 'a@p.example', email: 'a@p.example' }));
    const b = await run((tx) => createPerson(tx, org.id, { userName: 'b@p.example', email: 'b@p.example' }));
    await expect(run((tx) => updatePerson(tx, b.id, { userName: 'A@P.EXAMPLE' }))).rejects.toMatchObject({ code: 'uniqueness', details: { attribute: 'userName' } });
    expect((await run((tx) => updatePerson(tx, b.id, { email: 'A@p.example' }))).email).toBe('A@p.example');
    await expect(run((tx) => updatePerson(tx, b.id, { email: 'not-an-address' }))).rejects.toMatchObject({ code: 'invalid' });
    await expect(run((tx) => updatePerson(tx, crypto.randomUUID(), { displayName: 'x' }))).rejects.toMatchObject({ code: 'not_found' });
    expect((await t.db('users').where({ id: b.id }).first()).user_name).toBe('b@p.example');
    expect(a.id).not.toBe(b.id);
  });
});

describe('membership uniqueness by id', () => {
  it('adding or inviting someone who is already a member is a uniqueness refusal, not a crash', async () => {
    const { addMember } = await import('../../src/domain/memberships.ts');
    const { invite } = await import('../../src/domain/invitations.ts');
    const org = await makeOrg(t.db);
    const m = await makeMember(t.db, org.id, { userName: 'dup@acme.example' });
    await expect(run((tx) => addMember(tx, { orgId: org.id, person: { userName: m.user.user_name } }))).rejects.toMatchObject({ code: 'uniqueness' });
    await expect(run((tx) => invite(tx, { orgId: org.id, emailOrUserName: 'DUP@acme.example', ttlDays: 7 }))).rejects.toMatchObject({ code: 'uniqueness' });
    expect(await t.db('invitations').where({ org_id: org.id })).toHaveLength(0);
  });
});
