import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { activeUsersOverTime, recordActivity } from '../../src/domain/activity.ts';
import { createAccount } from '../../src/domain/accounts.ts';
import { findAccountByExternalIdentity, linkExternalIdentity, unlinkExternalIdentity } from '../../src/domain/external-identities.ts';
import { acceptInvitationToken, acceptOpenInvitations, expireInvitations, invite, revokeInvitation } from '../../src/domain/invitations.ts';
import { getMembership } from '../../src/domain/memberships.ts';
import { setSeatLicense } from '../../src/domain/organizations.ts';
import { authenticateScimToken, createScimToken, listScimTokens, revokeScimToken } from '../../src/domain/scim-tokens.ts';
import { attributableUser, authenticateApiKey, createApiKey, createServiceAccount, deleteServiceAccount } from '../../src/domain/service-accounts.ts';
import { createServiceAccountKey, liveServiceKeys } from '../../src/domain/service-account-keys.ts';
import { hashSecret } from '../../src/lib/secrets.ts';
import { claimFirstSystemAdmin, setSystemAdmin } from '../../src/domain/system-admins.ts';
import { addTeamMembers } from '../../src/domain/teams.ts';
import { useTestDb } from '../support/db.ts';
import { accountFor, auditRows, makeMember, makeOrg, makeTeam } from '../support/factories.ts';

const t = useTestDb();
const run = t.run;

const accountWith = (email: string) => run((tx) => createAccount(tx, { email }));

describe('invitations', () => {
  it('invite → pending record holding a seat; the invitee accepts by token → active with role and teams, linked', async () => {
    const org = await makeOrg(t.db);
    const team = await makeTeam(t.db, org.id);
    const { invitation, token } = await run((tx) => invite(tx, { orgId: org.id, emailOrUserName: 'new@acme.example', orgRole: 'viewer', teamIds: [team.id], ttlDays: 7 }));
    const recordId = invitation.user_id!;
    const m = await getMembership(t.db, org.id, recordId);
    expect(m).toMatchObject({ status: 'pending', org_role: 'viewer' });
    expect(invitation.invitee).toBe('new@acme.example');
    // No account exists for an invited address until someone proves it.
    expect(await t.db('accounts').where({ email: 'new@acme.example' })).toHaveLength(0);
    expect((await t.db('invitations').where({ id: invitation.id }).first()).token_hash).not.toContain(token);
    const invitee = await accountWith('New@Acme.example');
    await run((tx) => acceptInvitationToken(tx, token, invitee.id));
    expect(await getMembership(t.db, org.id, recordId)).toMatchObject({ status: 'active', org_role: 'viewer' });
    expect(await t.db('users').where({ id: recordId }).first()).toMatchObject({ account_id: invitee.id, linked_by: 'invitation' });
    expect(await t.db('team_members').where({ team_id: team.id, user_id: recordId })).toHaveLength(1);
    await expect(run((tx) => acceptInvitationToken(tx, token, invitee.id))).rejects.toMatchObject({ code: 'expired' });
    const actions = (await auditRows(t.db, { org_id: org.id, target_id: recordId })).map((r) => r.action);
    // (the team change is audited against the team, not the person)
    expect(actions).toEqual(['member.add', 'invitation.create', 'member.link', 'member.activate', 'invitation.accept']);
  });

  it('someone else holding the link cannot accept it: refused, audited, nothing changes', async () => {
    const org = await makeOrg(t.db);
    const { invitation, token } = await run((tx) => invite(tx, { orgId: org.id, emailOrUserName: 'bob@acme.example', ttlDays: 7 }));
    const mallory = await accountWith('mallory@evil.example');
    await expect(run((tx) => acceptInvitationToken(tx, token, mallory.id))).rejects.toMatchObject({ code: 'forbidden', details: { reason: 'other_invitee' } });
    expect(await getMembership(t.db, org.id, invitation.user_id!)).toMatchObject({ status: 'pending' });
    expect(await t.db('users').where({ id: invitation.user_id! }).first()).toMatchObject({ account_id: null });
    expect(await auditRows(t.db, { org_id: org.id, action: 'invitation.accept', outcome: 'refused' })).toHaveLength(1);
    // The invitee still can.
    const bob = await accountWith('bob@acme.example');
    await run((tx) => acceptInvitationToken(tx, token, bob.id));
    expect(await getMembership(t.db, org.id, invitation.user_id!)).toMatchObject({ status: 'active' });
  });

  it('only email addresses are invited; an existing member is not invited twice; pending invitations count against seats', async () => {
    const org = await makeOrg(t.db);
    await expect(run((tx) => invite(tx, { orgId: org.id, emailOrUserName: 'ghost', ttlDays: 7 }))).rejects.toMatchObject({ code: 'invalid' });
    await makeMember(t.db, org.id, { userName: 'here@acme.example' });
    await expect(run((tx) => invite(tx, { orgId: org.id, emailOrUserName: 'HERE@acme.example', ttlDays: 7 }))).rejects.toMatchObject({ code: 'uniqueness' });
    await run((tx) => setSeatLicense(tx, org.id, { fullSeats: 2, viewerSeats: 0 }));
    await run((tx) => invite(tx, { orgId: org.id, emailOrUserName: 'one@acme.example', ttlDays: 7 }));
    await expect(run((tx) => invite(tx, { orgId: org.id, emailOrUserName: 'two@acme.example', ttlDays: 7 }))).rejects.toMatchObject({ code: 'seat_limit' });
  });

  it('revoked and expired invitations cannot be accepted; expiry and revocation drop the pending record and free its seat', async () => {
    const org = await makeOrg(t.db);
    const late = await accountWith('late@acme.example');
    const past = new Date(Date.now() - 10 * 86_400_000);
    const expired = await run((tx) => invite(tx, { orgId: org.id, emailOrUserName: 'late@acme.example', ttlDays: 1, now: past }));
    await expect(run((tx) => acceptInvitationToken(tx, expired.token, late.id))).rejects.toMatchObject({ code: 'expired' });
    expect(await run((tx) => acceptOpenInvitations(tx, late.id))).toEqual([]);
    expect(await run((tx) => expireInvitations(tx))).toBeGreaterThanOrEqual(1);
    expect(await t.db('users').where({ id: expired.invitation.user_id! })).toHaveLength(0);
    expect(await t.db('invitations').where({ id: expired.invitation.id }).first()).toMatchObject({ user_id: null, invitee: 'late@acme.example' });
    const revoked = await run((tx) => invite(tx, { orgId: org.id, emailOrUserName: 'maybe@acme.example', ttlDays: 7 }));
    await run((tx) => revokeInvitation(tx, org.id, revoked.invitation.id));
    const maybe = await accountWith('maybe@acme.example');
    await expect(run((tx) => acceptInvitationToken(tx, revoked.token, maybe.id))).rejects.toMatchObject({ code: 'expired' });
    expect(await t.db('memberships').where({ org_id: org.id, user_id: revoked.invitation.user_id! })).toHaveLength(0);
  });

  it('sign-in accepts every open invitation whose record is linked to the account', async () => {
    const a = await makeOrg(t.db);
    const b = await makeOrg(t.db);
    const ia = await run((tx) => invite(tx, { orgId: a.id, emailOrUserName: 'multi@x.example', ttlDays: 7 }));
    const ib = await run((tx) => invite(tx, { orgId: b.id, emailOrUserName: 'multi@x.example', orgRole: 'admin', ttlDays: 7 }));
    expect(ia.invitation.user_id).not.toBe(ib.invitation.user_id);
    const multi = await accountWith('multi@x.example');
    expect(await run((tx) => acceptOpenInvitations(tx, multi.id))).toEqual([]);
    await t.db('users').whereIn('id', [ia.invitation.user_id!, ib.invitation.user_id!]).update({ account_id: multi.id });
    const orgs = await run((tx) => acceptOpenInvitations(tx, multi.id));
    expect(orgs.sort()).toEqual([a.id, b.id].sort());
    expect((await getMembership(t.db, b.id, ib.invitation.user_id!)).org_role).toBe('admin');
  });
});

describe('service accounts and API keys', () => {
  it('keys are stored hashed, authenticate, revoke with the account; attribution only within the team', async () => {
    const org = await makeOrg(t.db);
    const team = await makeTeam(t.db, org.id);
    const inTeam = await makeMember(t.db, org.id, { userName: 'in@acme.example' });
    const outside = await makeMember(t.db, org.id, { userName: 'out@acme.example' });
    await run((tx) => addTeamMembers(tx, org.id, team.id, [inTeam.user.id]));
    const sa = await run((tx) => createServiceAccount(tx, org.id, { name: 'ci-bot', teamId: team.id }));
    const { key, info } = await run((tx) => createServiceAccountKey(tx, org.id, sa.id, { label: 'ci' }));
    expect(key).toMatch(/^obsak_/);
    expect(JSON.stringify(await t.db('service_account_keys').where({ id: info.id }).first())).not.toContain(key);
    expect(await liveServiceKeys(t.db, [hashSecret(key)], new Date())).toMatchObject([{ id: info.id, serviceAccountId: sa.id }]);
    // A service account's key never opens the admin API.
    expect(await authenticateApiKey(t.db, key)).toBeNull();
    expect(await attributableUser(t.db, sa.id, 'IN@acme.example')).toBe(inTeam.user.id);
    expect(await attributableUser(t.db, sa.id, 'out@acme.example')).toBeNull();
    expect(outside.membership.models_seat).toBe('full');
    // Service accounts use no seat: no membership row exists for them.
    expect(await t.db('memberships').where({ org_id: org.id })).toHaveLength(2);
    await run((tx) => deleteServiceAccount(tx, org.id, sa.id));
    expect(await liveServiceKeys(t.db, [hashSecret(key)], new Date())).toEqual([]);
  });
});

describe('SCIM tokens', () => {
  it('shown once, stored hashed, scoped to one organization, revocable', async () => {
    const org = await makeOrg(t.db);
    const { token, info } = await run((tx) => createScimToken(tx, org.id, 'entra'));
    expect(token).toMatch(/^obscim_[A-Za-z0-9_-]{43}$/);
    const row = await t.db('scim_tokens').where({ id: info.id }).first();
    expect(JSON.stringify(row)).not.toContain(token);
    expect(await authenticateScimToken(t.db, token)).toEqual({ orgId: org.id, tokenId: info.id });
    expect((await listScimTokens(t.db, org.id))[0]!.lastUsedAt).not.toBeNull();
    expect(await authenticateScimToken(t.db, token.slice(0, -1))).toBeNull();
    await run((tx) => revokeScimToken(tx, info.id));
    expect(await authenticateScimToken(t.db, token)).toBeNull();
    expect((await auditRows(t.db, { target_id: info.id })).map((r) => r.action)).toEqual(['scim_token.create', 'scim_token.revoke']);
  });
});

describe('identities and system admins', () => {
  it('external identities key on (provider, id) and belong to an account; one identity never links to two accounts', async () => {
    const a = await accountWith('a@idp.example');
    const b = await accountWith('b@idp.example');
    await run((tx) => linkExternalIdentity(tx, 'oidc:https://idp.example', 'sub-1', a.id));
    await run((tx) => linkExternalIdentity(tx, 'oidc:https://idp.example', 'sub-1', a.id));
    await expect(run((tx) => linkExternalIdentity(tx, 'oidc:https://idp.example', 'sub-1', b.id))).rejects.toMatchObject({ code: 'conflict' });
    await run((tx) => linkExternalIdentity(tx, 'oidc:https://other.example', 'sub-1', b.id));
    expect((await findAccountByExternalIdentity(t.db, 'oidc:https://idp.example', 'sub-1'))?.id).toBe(a.id);
    expect((await findAccountByExternalIdentity(t.db, 'oidc:https://other.example', 'sub-1'))?.id).toBe(b.id);
    await run((tx) => unlinkExternalIdentity(tx, a.id, 'oidc:https://idp.example', 'sub-1'));
    expect(await findAccountByExternalIdentity(t.db, 'oidc:https://idp.example', 'sub-1')).toBeUndefined();
    await expect(run((tx) => unlinkExternalIdentity(tx, a.id, 'oidc:https://idp.example', 'sub-1'))).rejects.toMatchObject({ code: 'not_found' });
    expect((await auditRows(t.db, { target_id: a.id })).map((r) => r.action)).toEqual(['account.create', 'identity.link', 'identity.unlink']);
  });

  it('the first claimant becomes system admin; the last one cannot be revoked', async () => {
    await t.db('accounts').update({ system_admin: false });
    const a = await accountWith('first@sys.example');
    const b = await accountWith('second@sys.example');
    expect(await run((tx) => claimFirstSystemAdmin(tx, a.id))).toBe(true);
    expect(await run((tx) => claimFirstSystemAdmin(tx, b.id))).toBe(false);
    await expect(run((tx) => setSystemAdmin(tx, a.id, false))).rejects.toMatchObject({ code: 'last_admin' });
    await run((tx) => setSystemAdmin(tx, b.id, true));
    await run((tx) => setSystemAdmin(tx, a.id, false));
    expect(await t.db('accounts').where({ system_admin: true }).pluck('id')).toEqual([b.id]);
    expect(await auditRows(t.db, { action: 'system_admin.revoke', outcome: 'refused' })).toHaveLength(1);
  });
});

describe('activity', () => {
  it('counts days active once per day and buckets active users over time', async () => {
    const org = await makeOrg(t.db);
    const a = await makeMember(t.db, org.id);
    const b = await makeMember(t.db, org.id);
    const day1 = new Date('2026-10-01T10:00:00Z');
    await recordActivity(t.db, org.id, a.user.id, day1);
    await recordActivity(t.db, org.id, a.user.id, new Date('2026-10-01T18:00:00Z'));
    await recordActivity(t.db, org.id, a.user.id, new Date('2026-11-02T09:00:00Z'));
    await recordActivity(t.db, org.id, b.user.id, new Date('2026-11-02T09:30:00Z'));
    const m = await getMembership(t.db, org.id, a.user.id);
    expect(m.days_active).toBe(2);
    expect(new Date(m.last_active_at!).toISOString()).toBe('2026-11-02T09:00:00.000Z');
    const now = new Date('2026-11-20T00:00:00Z');
    expect(await activeUsersOverTime(t.db, org.id, 'month', now)).toEqual([
      { bucket: '2026-10-01', users: 1 },
      { bucket: '2026-11-01', users: 2 },
    ]);
    expect(await activeUsersOverTime(t.db, org.id, 'day', now)).toEqual([{ bucket: '2026-11-02', users: 2 }]);
    expect(await activeUsersOverTime(t.db, org.id, 'all', now)).toEqual([{ bucket: '2026-01-01', users: 2 }]);
  });
});

describe('credential last use', () => {
  it('is written at most once a minute per SCIM token or API key, not on every request', async () => {
    const org = await makeOrg(t.db);
    const { token, info } = await run((tx) => createScimToken(tx, org.id, 'throttle'));
    // An admin key is made by an admin of the organization (it lives as long as their power).
    const admin = await accountFor(t.db, (await makeMember(t.db, org.id, { orgRole: 'admin' })).user.id);
    const { id, key } = await runInTransaction(t.db, { type: 'user', id: admin, label: 'admin' }, (tx) => createApiKey(tx, org.id, { admin: true }));
    await authenticateScimToken(t.db, token);
    await authenticateApiKey(t.db, key);
    const stamp = new Date('2020-01-01T00:00:00Z');
    const recent = new Date(Date.now() - 10_000);
    await t.db('scim_tokens').where({ id: info.id }).update({ last_used_at: recent });
    await t.db('api_keys').where({ id }).update({ last_used_at: recent });
    await authenticateScimToken(t.db, token);
    await authenticateApiKey(t.db, key);
    expect(new Date((await t.db('scim_tokens').where({ id: info.id }).first()).last_used_at).getTime()).toBe(recent.getTime());
    expect(new Date((await t.db('api_keys').where({ id }).first()).last_used_at).getTime()).toBe(recent.getTime());
    await t.db('scim_tokens').where({ id: info.id }).update({ last_used_at: stamp });
    await t.db('api_keys').where({ id }).update({ last_used_at: stamp });
    await authenticateScimToken(t.db, token);
    await authenticateApiKey(t.db, key);
    expect(new Date((await t.db('scim_tokens').where({ id: info.id }).first()).last_used_at).getTime()).toBeGreaterThan(stamp.getTime());
    expect(new Date((await t.db('api_keys').where({ id }).first()).last_used_at).getTime()).toBeGreaterThan(stamp.getTime());
  });
});
