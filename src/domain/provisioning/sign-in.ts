import type { Db } from '../../db/connect.ts';
import { createAccount, findAccountByEmail, linkRecord, updateAccountProfile } from '../accounts.ts';
import { audit } from '../audit.ts';
import { runInTransaction, type Actor, type Tx } from '../context.ts';
import { findOrgByEmailDomain } from '../domains.ts';
import { acceptOpenInvitations } from '../invitations.ts';
import { DomainError } from '../errors.ts';
import { findAccountByExternalIdentity, hasIdentityAt, linkExternalIdentity, touchExternalIdentity } from '../external-identities.ts';
import { lockInstance } from '../last-admin-guard.ts';
import { addMember } from '../memberships.ts';
import { identityKey } from '../people.ts';
import { claimFirstSystemAdmin } from '../system-admins.ts';
import { addTeamMember } from '../teams.ts';
import type { AccountRow, MembershipRow, OrganizationRow } from '../types.ts';
import { applyGroupClaims } from './group-claims.ts';
import { trustsOrg, type ProviderTrust } from './provider-trust.ts';
import { deploymentIsEmpty } from './system-admin.ts';
import { signIns } from '../../lib/metrics.ts';

// Sign-in provisioning (SPEC §1 "Account", "Link"; §5): who may come in, which account a
// sign-in is, which member records it links to, and what it creates. Protocol-neutral:
// OIDC and LDAP both hand in a SignInClaims.
//
// The order matters and each step needs proof:
//  1. the account: by (provider, external id); else by verified email, but only into an
//     account that has no identity at this provider yet (another subject of the same
//     issuer never moves into it); else a new account — kept only if the sign-in succeeds;
//  2. links: in each organization that trusts the provider, the one unlinked record whose
//     userName or primary email is the verified email (two candidates: refused, audited);
//  3. open invitations of the linked records are accepted;
//  4. domain capture: an organization that verified the email's domain and provisions
//     automatically gets a new record for a person it does not have yet;
//  5. access: some active record, or system admin; else the reason it was refused.

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

export type SignInRefusalReason = 'not_provisioned' | 'deactivated' | 'invitation_expired' | 'identity_conflict' | 'ambiguous_record';

export interface SignInResult {
  accountId: string;
  createdAccount: boolean;
  joinedOrgId: string | null;
  systemAdmin: boolean;
}

const REASONS: readonly SignInRefusalReason[] = ['not_provisioned', 'deactivated', 'invitation_expired', 'identity_conflict', 'ambiguous_record'];

function refuse(reason: SignInRefusalReason, message: string, c: SignInClaims, accountId: string | null, orgId: string | null = null): DomainError {
  return new DomainError('forbidden', message, { reason }, { orgId, action: 'sso.sign_in', targetType: accountId ? 'account' : 'identity', targetId: accountId ?? `${c.provider}#${c.externalId}` });
}

/** Whether the provider is trusted for this organization (OIDC_<NAME>_ORGS, LDAP_ORGS; all when unset). */
function trusts(c: SignInClaims, org: Pick<OrganizationRow, 'slug'>): boolean {
  return trustsOrg(c.trust, org);
}

type Place = MembershipRow & { record_id: string; slug: string };

/** The account's memberships, through its linked records. */
async function placesOf(tx: Tx, accountId: string): Promise<Place[]> {
  return (await tx.trx('users as u')
    .join('memberships as m', 'm.user_id', 'u.id')
    .join('organizations as o', 'o.id', 'u.org_id')
    .where('u.account_id', accountId)
    .select('m.*', 'u.id as record_id', 'o.slug')) as Place[];
}

/**
 * Step 1: the account this sign-in is. An identity is linked to an existing account by
 * verified email only when that account has no identity at this provider (SPEC §5), and
 * only when the provider is trusted for every organization the account is in: a provider
 * one tenant configured must not sign into another tenant's people.
 */
async function resolveAccount(tx: Tx, c: SignInClaims): Promise<{ account: AccountRow; created: boolean; empty: boolean }> {
  const known = await findAccountByExternalIdentity(tx.trx, c.provider, c.externalId);
  if (known) {
    await touchExternalIdentity(tx.trx, c.provider, c.externalId);
    return { account: known, created: false, empty: false };
  }
  if (!c.email) throw refuse('not_provisioned', 'no verified email address: no account is created and none is linked', c, null);
  const byEmail = await findAccountByEmail(tx.trx, c.email);
  if (byEmail) {
    if (await hasIdentityAt(tx.trx, byEmail.id, c.provider)) {
      throw refuse('identity_conflict', 'the account that holds this email address already signs in with another identity at this provider', c, byEmail.id);
    }
    // The deployment's administrators: only a provider trusted for every organization may
    // join one (an organization's own IdP would otherwise hold, and rename, their account).
    if (byEmail.system_admin && c.trust.orgSlugs !== null) {
      throw refuse('identity_conflict', 'the account that holds this email address administers the deployment; only a provider trusted for every organization may sign into it', c, byEmail.id);
    }
    const places = await placesOf(tx, byEmail.id);
    const untrusted = places.find((p) => !trusts(c, { slug: p.slug }));
    if (untrusted) {
      throw refuse('identity_conflict', 'the account that holds this email address belongs to an organization that does not trust this provider', c, byEmail.id, untrusted.org_id);
    }
    await linkExternalIdentity(tx, c.provider, c.externalId, byEmail.id);
    return { account: byEmail, created: false, empty: false };
  }
  await lockInstance(tx.trx);
  const empty = await deploymentIsEmpty(tx);
  const account = await createAccount(tx, { email: c.email, displayName: c.displayName, givenName: c.givenName, familyName: c.familyName });
  await linkExternalIdentity(tx, c.provider, c.externalId, account.id);
  return { account, created: true, empty };
}

/**
 * Step 2: link the records that wait for this person. A candidate is an unlinked record
 * whose userName or primary email is the verified address, in an organization that
 * trusts the provider and has no record linked to this account yet. Two candidates in one
 * organization are two people to that organization: the sign-in is refused, not guessed.
 */
async function linkWaitingRecords(tx: Tx, c: SignInClaims & { email: string }, accountId: string): Promise<void> {
  const key = identityKey(c.email);
  const candidates = (await tx.trx('users as u')
    .join('organizations as o', 'o.id', 'u.org_id')
    .whereNull('u.account_id')
    .where((w) => w.where('u.user_name_key', key).orWhere('u.email_key', key))
    .whereNotExists(tx.trx('users as mine').whereRaw('mine.org_id = u.org_id').where('mine.account_id', accountId))
    .orderBy('u.org_id')
    .select('u.id', 'u.org_id', 'u.account_id', 'o.slug')) as { id: string; org_id: string; account_id: null; slug: string }[];
  const byOrg = new Map<string, typeof candidates>();
  for (const r of candidates) {
    if (!trusts(c, { slug: r.slug })) continue;
    byOrg.set(r.org_id, [...(byOrg.get(r.org_id) ?? []), r]);
  }
  for (const [orgId, records] of byOrg) {
    if (records.length > 1) {
      throw refuse('ambiguous_record', `${records.length} member records of one organization match this email address; an administrator must tell them apart before this person can sign in`, c, accountId, orgId);
    }
    await linkRecord(tx, records[0]!, accountId, 'sign_in');
  }
}

/**
 * Step 4, domain capture: an organization that verified the email's domain, trusts the
 * provider and provisions automatically gets a new member record (as `member`, its
 * default seat — a viewer seat when full seats are gone and it says so — and its default
 * team), when it has none for this person yet.
 */
async function capture(tx: Tx, c: SignInClaims & { email: string }, org: OrganizationRow | undefined, policy: SignInPolicy, accountId: string, places: Place[]): Promise<string | null> {
  if (!policy.autoProvisioning) return null;
  if (!org || !org.auto_provisioning || !trusts(c, org)) return null;
  if (places.some((p) => p.org_id === org.id)) return null;
  const person = { userName: c.email, email: c.email, displayName: c.displayName, givenName: c.givenName, familyName: c.familyName };
  const { user } = await addMember(tx, { orgId: org.id, person, link: { accountId, by: 'sign_in' }, orgRole: 'member', status: 'active', seatOverflow: 'org-policy' });
  if (org.default_team_id) await addTeamMember(tx, org.id, org.default_team_id, user.id, 'member');
  return org.id;
}

/** The person's own sign-in keeps their account's profile current (SPEC §1). */
async function refreshProfile(tx: Tx, account: AccountRow, c: SignInClaims): Promise<void> {
  const patch: Record<string, string> = {};
  if (c.displayName && c.displayName !== account.display_name) patch.displayName = c.displayName;
  if (c.givenName && c.givenName !== account.given_name) patch.givenName = c.givenName;
  if (c.familyName && c.familyName !== account.family_name) patch.familyName = c.familyName;
  // A changed verified address follows, unless another account holds it.
  if (c.email && identityKey(c.email) !== account.email_key && !(await findAccountByEmail(tx.trx, c.email))) patch.email = c.email;
  if (Object.keys(patch).length) await updateAccountProfile(tx, account.id, patch);
  await tx.trx('accounts').where({ id: account.id }).update({ last_sign_in_at: tx.trx.fn.now() });
}

async function signInTx(tx: Tx, claims: SignInClaims, policy: SignInPolicy): Promise<SignInResult> {
  // The organization that verified the address's domain, looked up once: it decides
  // whether the address counts (below) and where domain capture leads (step 4). Read from
  // the address's key (NFKC, lower case), which is how accounts, records and managed
  // domains compare it: "ceo@ｏwner.example" (a fullwidth o) is ceo@owner.example to them.
  const domainOrg = claims.email ? await findOrgByEmailDomain(tx.trx, identityKey(claims.email)) : undefined;
  // An address in a domain that an organization verified speaks for that organization's
  // people: a provider it does not trust may not vouch for it (else another tenant's IdP
  // could mint "verified" addresses in that domain, and the account would then be linked
  // by that organization's managed domain). Such an address counts as unverified.
  const c = domainOrg && !trusts(claims, domainOrg) ? { ...claims, email: null } : claims;
  const { account, created, empty } = await resolveAccount(tx, c);
  let systemAdmin = account.system_admin;
  // Bootstrap: the first person on an empty deployment, whatever the switches.
  if (empty) systemAdmin = await claimFirstSystemAdmin(tx, account.id);

  if (c.email) await linkWaitingRecords(tx, { ...c, email: c.email }, account.id);
  // An invited person becomes active with the invitation's role and teams.
  await acceptOpenInvitations(tx, account.id, policy.now);
  let places = await placesOf(tx, account.id);
  const joinedOrgId = c.email ? await capture(tx, { ...c, email: c.email }, domainOrg, policy, account.id, places) : null;
  if (joinedOrgId) places = await placesOf(tx, account.id);

  if (!places.some((p) => p.status === 'active') && !systemAdmin) {
    // Still pending after step 3: the invitation expired or was revoked.
    const pending = places.find((p) => p.status === 'pending');
    if (pending) throw refuse('invitation_expired', 'the invitation has expired', c, account.id, pending.org_id);
    const off = places.find((p) => p.status === 'deactivated');
    if (off) throw refuse('deactivated', 'the person is deactivated', c, account.id, off.org_id);
    throw refuse('not_provisioned', created ? 'unknown person and no organization provisions them automatically' : 'the person belongs to no organization', c, created ? null : account.id);
  }

  await refreshProfile(tx, account, c);
  if (c.groups !== null) await applyGroupClaims(tx, account.id, c.groups, c);

  await audit(tx, {
    orgId: joinedOrgId,
    action: 'sso.sign_in',
    targetType: 'account',
    targetId: account.id,
    after: { provider: c.provider, createdAccount: created, joinedOrgId, systemAdmin },
  });
  return { accountId: account.id, createdAccount: created, joinedOrgId, systemAdmin };
}

export function signInActor(c: SignInClaims): Actor {
  return { type: 'sso', id: `${c.provider}#${c.externalId}`, label: c.label };
}

/** Runs the whole sign-in decision in one transaction; refusals are DomainErrors. */
export async function provisionSignIn(db: Db, c: SignInClaims, policy: SignInPolicy): Promise<SignInResult> {
  try {
    const result = await runInTransaction(db, signInActor(c), (tx) => signInTx(tx, c, policy));
    signIns.inc({ provider: c.source, outcome: 'ok' });
    return result;
  } catch (err: unknown) {
    signIns.inc({ provider: c.source, outcome: err instanceof DomainError ? 'refused' : 'error' });
    throw err;
  }
}

export function refusalReason(err: unknown): SignInRefusalReason | null {
  if (!(err instanceof DomainError) || err.code !== 'forbidden') return null;
  const r = err.details.reason;
  return REASONS.includes(r as SignInRefusalReason) ? (r as SignInRefusalReason) : null;
}
