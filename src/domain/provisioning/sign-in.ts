import type { Db } from '../../db/connect.ts';
import { audit } from '../audit.ts';
import { runInTransaction, type Actor, type Tx } from '../context.ts';
import { findOrgByEmailDomain } from '../domains.ts';
import { acceptOpenInvitations } from '../invitations.ts';
import { DomainError } from '../errors.ts';
import { lockInstance } from '../last-admin-guard.ts';
import { addMember } from '../memberships.ts';
import { createPerson, findUserByEmail, updatePerson, type PersonInput } from '../people.ts';
import { claimFirstSystemAdmin } from '../system-admins.ts';
import { addTeamMember } from '../teams.ts';
import type { MembershipRow, UserRow } from '../types.ts';
import { applyGroupClaims } from './group-claims.ts';
import { trustsOrg, type ProviderTrust } from './provider-trust.ts';
import { findUserByExternalIdentity, linkExternalIdentity, touchExternalIdentity } from '../external-identities.ts';
import { deploymentIsEmpty } from './system-admin.ts';

// Sign-in provisioning (SPEC §5): who may come in, and what a sign-in creates or
// changes. Protocol-neutral: OIDC and LDAP both hand in a SignInClaims.

export interface SignInClaims {
  /** 'oidc:<issuer>' or 'ldap:<url>'; with externalId, the key of external_identities. */
  provider: string;
  /** OIDC `sub`; LDAP the LDAP_ID_ATTRIBUTE value (entryUUID, objectGUID) — never the DN nor the username. */
  externalId: string;
  /**
   * Only a verified address (email_verified === true, or LDAP) in a domain the provider may
   * assert (trust.domains); null otherwise — never used for linking or capture.
   */
  email: string | null;
  userName: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  /** OIDC group names; LDAP group DNs. Null when the IdP sent none (nothing about roles or teams changes). */
  groups: string[] | null;
  /** 'oidc:<name>' or 'ldap': only role groups with this source apply to `groups`. */
  source: string;
  /** The organizations (and email domains) the provider is trusted for: see provider-trust.ts. */
  trust: ProviderTrust;
  /** Human label for logs and audit rows, e.g. "oidc:okta". */
  label: string;
}

export interface SignInPolicy {
  /** The deployment switch (AUTO_PROVISIONING); each organization has its own under it. */
  autoProvisioning: boolean;
  now: Date;
}

export type SignInRefusalReason = 'not_provisioned' | 'deactivated' | 'invitation_expired';

export interface SignInResult {
  userId: string;
  createdPerson: boolean;
  joinedOrgId: string | null;
  systemAdmin: boolean;
}

/** idp_owned names under which SCIM owns the profile fields sign-in could update. */
const OWNED: Record<'displayName' | 'givenName' | 'familyName', string[]> = {
  displayName: ['displayName'],
  givenName: ['name', 'name.givenName', 'givenName'],
  familyName: ['name', 'name.familyName', 'familyName'],
};

function refuse(reason: SignInRefusalReason, message: string, c: SignInClaims, userId: string | null, orgId: string | null = null): DomainError {
  return new DomainError('forbidden', message, { reason }, { orgId, action: 'sso.sign_in', targetType: userId ? 'user' : 'identity', targetId: userId ?? `${c.provider}#${c.externalId}` });
}

async function memberships(tx: Tx, userId: string): Promise<MembershipRow[]> {
  return (await tx.trx('memberships').where({ user_id: userId })) as MembershipRow[];
}

async function updateProfile(tx: Tx, user: UserRow, c: SignInClaims, owned: Set<string>): Promise<void> {
  const patch: Partial<PersonInput> = {};
  const fields = [
    ['displayName', 'display_name'],
    ['givenName', 'given_name'],
    ['familyName', 'family_name'],
  ] as const;
  for (const [field, column] of fields) {
    const value = c[field];
    if (value && value !== user[column] && !OWNED[field].some((f) => owned.has(f))) patch[field] = value;
  }
  if (Object.keys(patch).length) await updatePerson(tx, user.id, patch);
}

/**
 * Domain capture: an unknown person whose verified email domain (exact match) an
 * organization claimed joins it as `member` with its default seat — a viewer seat when
 * full seats are gone and the organization says so, else a refusal — and its default
 * team, when auto-provisioning is on for the deployment and for the organization.
 */
async function capture(tx: Tx, c: SignInClaims, policy: SignInPolicy, person: { userId: string } | PersonInput): Promise<{ userId: string; orgId: string } | null> {
  if (!c.email || !policy.autoProvisioning) return null;
  const org = await findOrgByEmailDomain(tx.trx, c.email);
  if (!org || !org.auto_provisioning) return null;
  if (!trustsOrg(c.trust, org)) return null;
  const { user } = await addMember(tx, { orgId: org.id, person, orgRole: 'member', status: 'active', seatOverflow: 'org-policy' });
  if (org.default_team_id) await addTeamMember(tx, org.id, org.default_team_id, user.id, 'member');
  return { userId: user.id, orgId: org.id };
}

function newPerson(c: SignInClaims & { email: string }): PersonInput {
  return { userName: c.email, email: c.email, displayName: c.displayName, givenName: c.givenName, familyName: c.familyName };
}

async function signInTx(tx: Tx, c: SignInClaims, policy: SignInPolicy): Promise<SignInResult> {
  let user = await findUserByExternalIdentity(tx.trx, c.provider, c.externalId);
  let createdPerson = false;
  let joinedOrgId: string | null = null;

  if (!user && c.email) {
    // A verified address links the identity to the person who already has it.
    user = await findUserByEmail(tx.trx, c.email);
    if (user) await linkExternalIdentity(tx, c.provider, c.externalId, user.id);
  }

  if (!user) {
    if (!c.email) throw refuse('not_provisioned', 'no verified email address: no account is created and none is linked', c, null);
    const email = c.email;
    await lockInstance(tx.trx);
    if (await deploymentIsEmpty(tx)) {
      // Bootstrap: the first person on an empty deployment, whatever the switches.
      const created = await createPerson(tx, newPerson({ ...c, email }));
      createdPerson = true;
      const joined = await capture(tx, c, policy, { userId: created.id });
      joinedOrgId = joined?.orgId ?? null;
      user = created;
    } else {
      const joined = await capture(tx, c, policy, newPerson({ ...c, email }));
      if (!joined) throw refuse('not_provisioned', 'unknown person and no organization provisions them automatically', c, null);
      createdPerson = true;
      joinedOrgId = joined.orgId;
      user = (await tx.trx('users').where({ id: joined.userId }).first()) as UserRow;
    }
    await linkExternalIdentity(tx, c.provider, c.externalId, user.id);
  } else {
    await touchExternalIdentity(tx.trx, c.provider, c.externalId);
  }

  const userId = user.id;
  // An invited person becomes active with the invitation's role and teams.
  await acceptOpenInvitations(tx, userId, policy.now);
  let ms = await memberships(tx, userId);
  // Still pending after that: the invitation expired or was revoked.
  const expired = ms.filter((m) => m.status === 'pending').map((m) => m.org_id);
  if (ms.length === 0 && !createdPerson) {
    // Known, but in no organization: domain capture may still bring them in.
    const joined = await capture(tx, c, policy, { userId });
    if (joined) {
      joinedOrgId = joined.orgId;
      ms = await memberships(tx, userId);
    }
  }
  let systemAdmin = user.system_admin;
  if (ms.some((m) => m.status === 'active')) {
    systemAdmin = (await claimFirstSystemAdmin(tx, userId)) || systemAdmin;
  } else if (!systemAdmin) {
    if (expired.length) throw refuse('invitation_expired', 'the invitation has expired', c, userId, expired[0]);
    if (ms.some((m) => m.status === 'deactivated')) throw refuse('deactivated', 'the person is deactivated', c, userId, ms[0]!.org_id);
    // Nobody administers the instance yet: the first person to sign in does.
    if (!(await claimFirstSystemAdmin(tx, userId))) throw refuse('not_provisioned', 'the person belongs to no organization', c, userId);
    systemAdmin = true;
  }

  const owned = new Set(ms.flatMap((m) => (Array.isArray(m.idp_owned) ? m.idp_owned : [])));
  if (!createdPerson) await updateProfile(tx, user, c, owned);
  if (c.groups !== null) await applyGroupClaims(tx, userId, c.groups, c);

  await audit(tx, {
    orgId: joinedOrgId,
    action: 'sso.sign_in',
    targetType: 'user',
    targetId: userId,
    after: { provider: c.provider, createdPerson, joinedOrgId, systemAdmin },
  });
  return { userId, createdPerson, joinedOrgId, systemAdmin };
}

export function signInActor(c: SignInClaims): Actor {
  return { type: 'sso', id: `${c.provider}#${c.externalId}`, label: c.label };
}

/** Runs the whole sign-in decision in one transaction; refusals are DomainErrors. */
export async function provisionSignIn(db: Db, c: SignInClaims, policy: SignInPolicy): Promise<SignInResult> {
  return runInTransaction(db, signInActor(c), (tx) => signInTx(tx, c, policy));
}

export function refusalReason(err: unknown): SignInRefusalReason | null {
  if (!(err instanceof DomainError) || err.code !== 'forbidden') return null;
  const r = err.details.reason;
  return r === 'not_provisioned' || r === 'deactivated' || r === 'invitation_expired' ? r : null;
}
