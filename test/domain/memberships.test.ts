import { describe, expect, it } from 'vitest';
import { DomainError, isDomainError } from '../../src/domain/errors.ts';
import {
  activateMembership,
  addMember,
  deactivateMember,
  getMembership,
  reactivateMember,
  removeMember,
  setModelsSeat,
  setOrgRole,
  setWeaveAccess,
} from '../../src/domain/memberships.ts';
import { setBillingAdmin, setSeatLicense, updateOrganizationSettings } from '../../src/domain/organizations.ts';
import { createApiKey } from '../../src/domain/service-accounts.ts';
import { addTeamMember } from '../../src/domain/teams.ts';
import { useTestDb } from '../support/db.ts';
import { auditRows, makeMember, makeOrg, makeTeam, accountFor } from '../support/factories.ts';

const t = useTestDb();

const run = t.run;
async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('addMember', () => {
  it('creates the member record and an active membership with the org defaults, audited', async () => {
    const org = await makeOrg(t.db);
    const { user, membership } = await run((tx) =>
      addMember(tx, { orgId: org.id, person: { userName: 'Ada@Acme.example', email: 'Ada@Acme.example', displayName: 'Ada' } }),
    );
    expect(user).toMatchObject({ org_id: org.id, account_id: null });
    expect(membership).toMatchObject({ status: 'active', org_role: 'member', models_seat: 'full', weave_access: 'full' });
    expect(user.user_name_key).toBe('ada@acme.example');
    const [row] = await auditRows(t.db, { action: 'member.add', target_id: user.id });
    expect(row).toMatchObject({ org_id: org.id, outcome: 'ok', actor_type: 'system' });
    expect(row!.after).toMatchObject({ orgRole: 'member', modelsSeat: 'full', status: 'active' });
  });

  it('refuses a userName that differs only by case or Unicode form (the database enforces it)', async () => {
    const org = await makeOrg(t.db);
    await makeMember(t.db, org.id, { userName: 'zoë@acme.example' });
    for (const variant of ['ZOË@ACME.EXAMPLE', 'zoe\u0308@acme.example', 'ｚｏë@acme.example']) {
      const err = await refusal(run((tx) => addMember(tx, { orgId: org.id, person: { userName: variant } })));
      expect(err.code, variant).toBe('uniqueness');
    }
    // Below the domain: the unique index itself refuses a variant written directly.
    await expect(t.db('users').insert({ id: crypto.randomUUID(), org_id: org.id, user_name: 'ZOË@acme.EXAMPLE' })).rejects.toMatchObject({ code: '23505' });
  });

  it('gives another organization its own record for the same userName: nothing of the first is read or changed', async () => {
    const a = await makeOrg(t.db);
    const b = await makeOrg(t.db);
    const first = await makeMember(t.db, a.id, { userName: 'sam@shared.example' });
    await t.db('users').where({ id: first.user.id }).update({ display_name: 'Sam of A' });
    const second = await run((tx) => addMember(tx, { orgId: b.id, person: { userName: 'SAM@shared.example', email: 'sam@shared.example' } }));
    expect(second.user.id).not.toBe(first.user.id);
    expect(second.user).toMatchObject({ org_id: b.id, display_name: null, account_id: null });
    expect(await t.db('users').where({ email_key: 'sam@shared.example' })).toHaveLength(2);
    const again = await refusal(run((tx) => addMember(tx, { orgId: b.id, person: { userName: 'sam@shared.example' } })));
    expect(again.code).toBe('uniqueness');
    expect(again.message).toContain('in this organization');
  });

  it('lets two records of one organization share an email (RFC 7643 §4.1.2: only userName is unique)', async () => {
    const org = await makeOrg(t.db);
    const a = await makeMember(t.db, org.id, { userName: 'jo', email: 'jo@acme.example' });
    const b = await makeMember(t.db, org.id, { userName: 'jo-admin', email: 'JO@acme.example' });
    expect(a.user.id).not.toBe(b.user.id);
    expect(await t.db('users').where({ org_id: org.id, email_key: 'jo@acme.example' })).toHaveLength(2);
  });

  it('refuses an assignment beyond the seat license, records the refusal, evicts nobody', async () => {
    const org = await makeOrg(t.db);
    await run((tx) => setSeatLicense(tx, org.id, { fullSeats: 1, viewerSeats: 1 }));
    const seated = await makeMember(t.db, org.id);
    const err = await refusal(makeMember(t.db, org.id, { userName: 'late@acme.example' }));
    expect(err.code).toBe('seat_limit');
    expect(await t.db('users').where({ user_name: 'late@acme.example' })).toHaveLength(0);
    const refused = await auditRows(t.db, { org_id: org.id, outcome: 'refused' });
    expect(refused.map((r) => r.action)).toEqual(['member.add']);
    expect((await getMembership(t.db, org.id, seated.user.id)).models_seat).toBe('full');
    // Lowering the license below use keeps everyone seated.
    await run((tx) => setSeatLicense(tx, org.id, { fullSeats: 0, viewerSeats: 1 }));
    expect((await getMembership(t.db, org.id, seated.user.id)).status).toBe('active');
  });

  it("falls back to a viewer seat when the org's overflow policy says so", async () => {
    const org = await makeOrg(t.db);
    await run((tx) => setSeatLicense(tx, org.id, { fullSeats: 0, viewerSeats: 5 }));
    await run((tx) => updateOrganizationSettings(tx, org.id, { seatOverflow: 'viewer' }));
    const { membership } = await makeMember(t.db, org.id, { seatOverflow: 'org-policy' });
    expect(membership.models_seat).toBe('viewer');
    await run((tx) => updateOrganizationSettings(tx, org.id, { seatOverflow: 'refuse' }));
    expect((await refusal(makeMember(t.db, org.id, { seatOverflow: 'org-policy' }))).code).toBe('seat_limit');
  });
});

describe('roles, seats and status', () => {
  it('changes role, seat and Weave access with before/after in the audit log', async () => {
    const org = await makeOrg(t.db);
    await makeMember(t.db, org.id, { orgRole: 'admin' });
    const { user } = await makeMember(t.db, org.id);
    await run((tx) => setOrgRole(tx, org.id, user.id, 'admin'));
    await run((tx) => setModelsSeat(tx, org.id, user.id, 'viewer'));
    await run((tx) => setWeaveAccess(tx, org.id, user.id, 'none'));
    const m = await getMembership(t.db, org.id, user.id);
    expect(m).toMatchObject({ org_role: 'admin', models_seat: 'viewer', weave_access: 'none', version: 4 });
    const rows = await auditRows(t.db, { org_id: org.id, target_id: user.id });
    expect(rows.map((r) => r.action)).toEqual(['member.add', 'member.role', 'member.seat', 'member.weave_access']);
    expect(rows[1]!.before).toMatchObject({ orgRole: 'member' });
    expect(rows[1]!.after).toMatchObject({ orgRole: 'admin' });
    await expect(run((tx) => setOrgRole(tx, org.id, user.id, 'owner' as never))).rejects.toMatchObject({ code: 'invalid' });
  });

  it('deactivation keeps roles, frees the seat, revokes the record\'s API keys and leaves the account\'s sessions; reactivation restores', async () => {
    const org = await makeOrg(t.db);
    await run((tx) => setSeatLicense(tx, org.id, { fullSeats: 2, viewerSeats: null }));
    await makeMember(t.db, org.id, { orgRole: 'admin' });
    const { user } = await makeMember(t.db, org.id);
    const team = await makeTeam(t.db, org.id);
    await run((tx) => addTeamMember(tx, org.id, team.id, user.id, 'admin'));
    await t.db('sessions').insert({ sid: 's1', account_id: await accountFor(t.db, user.id), data: '{}', expires_at: new Date(Date.now() + 3600e3) });
    const key = await run((tx) => createApiKey(tx, org.id, { userId: user.id }));

    await run((tx) => deactivateMember(tx, org.id, user.id));
    expect(await getMembership(t.db, org.id, user.id)).toMatchObject({ status: 'deactivated', org_role: 'member' });
    // The session is the account's: other organizations are not this one's to end. Access
    // here ends because every request reads the record's status (test/api/auth.test.ts).
    expect(await t.db('sessions').where({ sid: 's1' })).toHaveLength(1);
    expect((await t.db('api_keys').where({ id: key.id }).first()).revoked_at).not.toBeNull();
    expect(await t.db('team_members').where({ user_id: user.id })).toMatchObject([{ role: 'admin' }]);
    // The seat is free: someone else can take it.
    const other = await makeMember(t.db, org.id);
    // …so reactivation now finds the license full.
    expect((await refusal(run((tx) => reactivateMember(tx, org.id, user.id)))).code).toBe('seat_limit');
    await run((tx) => removeMember(tx, org.id, other.user.id));
    await run((tx) => reactivateMember(tx, org.id, user.id));
    expect((await getMembership(t.db, org.id, user.id)).status).toBe('active');
    const actions = (await auditRows(t.db, { org_id: org.id, target_id: user.id })).map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(['member.add:ok', 'member.link:ok', 'member.deactivate:ok', 'member.reactivate:refused', 'member.reactivate:ok']);
  });

  it('pending becomes active on activation', async () => {
    const org = await makeOrg(t.db);
    const { user } = await makeMember(t.db, org.id, { status: 'pending' });
    await run((tx) => activateMembership(tx, org.id, user.id));
    expect((await getMembership(t.db, org.id, user.id)).status).toBe('active');
  });

  it('removal deletes the record, its membership and team places but keeps the account and history', async () => {
    const org = await makeOrg(t.db);
    await makeMember(t.db, org.id, { orgRole: 'admin' });
    const { user } = await makeMember(t.db, org.id);
    const account = await accountFor(t.db, user.id);
    const team = await makeTeam(t.db, org.id);
    await run((tx) => addTeamMember(tx, org.id, team.id, user.id));
    await run((tx) => removeMember(tx, org.id, user.id));
    expect(await t.db('memberships').where({ org_id: org.id, user_id: user.id })).toHaveLength(0);
    expect(await t.db('team_members').where({ user_id: user.id })).toHaveLength(0);
    expect(await t.db('users').where({ id: user.id })).toHaveLength(0);
    expect(await t.db('accounts').where({ id: account })).toHaveLength(1);
    const [row] = await auditRows(t.db, { action: 'member.remove', target_id: user.id });
    expect(row!.before).toMatchObject({ orgRole: 'member', teams: [{ id: team.id, role: 'member' }] });
    expect(await auditRows(t.db, { action: 'member.add', target_id: user.id })).toHaveLength(1);
    expect((await refusal(run((tx) => removeMember(tx, org.id, user.id)))).code).toBe('not_found');
  });
});

describe('last-admin guard', () => {
  it('refuses demoting, deactivating or removing the only admin — 409-class refusal, audited, same on retry', async () => {
    const org = await makeOrg(t.db);
    const { user } = await makeMember(t.db, org.id, { orgRole: 'admin' });
    for (const attempt of [
      () => run((tx) => setOrgRole(tx, org.id, user.id, 'member')),
      () => run((tx) => deactivateMember(tx, org.id, user.id)),
      () => run((tx) => removeMember(tx, org.id, user.id)),
      () => run((tx) => setOrgRole(tx, org.id, user.id, 'viewer')),
    ]) {
      const err = await refusal(attempt());
      expect(err.code).toBe('last_admin');
      expect(err.message).toMatch(/last-admin rule/);
    }
    expect(await getMembership(t.db, org.id, user.id)).toMatchObject({ org_role: 'admin', status: 'active' });
    const refused = await auditRows(t.db, { org_id: org.id, outcome: 'refused' });
    expect(refused.map((r) => r.action)).toEqual(['member.role', 'member.deactivate', 'member.remove', 'member.role']);
    expect(refused.every((r) => r.target_id === user.id && String(r.reason).includes('last-admin rule'))).toBe(true);
  });

  it('allows it once another admin is active; a deactivated or pending admin does not count', async () => {
    const org = await makeOrg(t.db);
    const a = await makeMember(t.db, org.id, { orgRole: 'admin' });
    const pending = await makeMember(t.db, org.id, { orgRole: 'admin', status: 'pending' });
    expect(isDomainError(await run((tx) => deactivateMember(tx, org.id, a.user.id)).catch((e: unknown) => e), 'last_admin')).toBe(true);
    await run((tx) => activateMembership(tx, org.id, pending.user.id));
    await run((tx) => deactivateMember(tx, org.id, a.user.id));
    expect(await getMembership(t.db, org.id, a.user.id)).toMatchObject({ status: 'deactivated', org_role: 'admin' });
  });

  it('a multi-step change is judged at the end: all of it or none of it', async () => {
    const org = await makeOrg(t.db);
    const a = await makeMember(t.db, org.id, { orgRole: 'admin' });
    const b = await makeMember(t.db, org.id, { orgRole: 'admin' });
    const err = await refusal(
      run(async (tx) => {
        await setOrgRole(tx, org.id, a.user.id, 'member');
        await setOrgRole(tx, org.id, b.user.id, 'member');
      }),
    );
    expect(err.code).toBe('last_admin');
    expect((await getMembership(t.db, org.id, a.user.id)).org_role).toBe('admin');
  });

  it('demoting the billing admin ends that assignment; the billing admin must be an admin', async () => {
    const org = await makeOrg(t.db);
    const a = await makeMember(t.db, org.id, { orgRole: 'admin' });
    const b = await makeMember(t.db, org.id, { orgRole: 'admin' });
    const m = await makeMember(t.db, org.id);
    expect((await refusal(run((tx) => setBillingAdmin(tx, org.id, m.user.id)))).code).toBe('invalid');
    await run((tx) => setBillingAdmin(tx, org.id, b.user.id));
    await run((tx) => setOrgRole(tx, org.id, b.user.id, 'member'));
    expect((await t.db('organizations').where({ id: org.id }).first()).billing_admin_user_id).toBeNull();
    expect(a.user.id).toBeTruthy();
  });
});
