import type { Conn } from '../db/connect.ts';
import { newId } from '../lib/secrets.ts';
import { audit } from './audit.ts';
import type { Tx } from './context.ts';
import { conflict, notFound } from './errors.ts';
import { identityKey } from './people.ts';
import type { AccountRow, LinkedBy, UserRow } from './types.ts';

// Accounts (SPEC §1): who signs in, global to the deployment. An account's own profile
// changes through the person's sign-ins or the organization that manages it; what an
// organization writes to its member records never reaches the account otherwise.

export interface AccountProfile {
  email?: string | null;
  displayName?: string | null;
  givenName?: string | null;
  familyName?: string | null;
}

const COLUMNS = { email: 'email', displayName: 'display_name', givenName: 'given_name', familyName: 'family_name' } as const;

function toColumns(p: AccountProfile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(COLUMNS)) {
    const v = p[k as keyof AccountProfile];
    if (v !== undefined) out[col] = v;
  }
  return out;
}

export async function getAccount(conn: Conn, id: string): Promise<AccountRow> {
  const a = await conn('accounts').where({ id }).first<AccountRow | undefined>();
  if (!a) throw notFound('account', id);
  return a;
}

export async function findAccount(conn: Conn, id: string): Promise<AccountRow | undefined> {
  return conn('accounts').where({ id }).first<AccountRow | undefined>();
}

/** The account that holds this (verified) address, if any: at most one (a unique index). */
export async function findAccountByEmail(conn: Conn, email: string): Promise<AccountRow | undefined> {
  return conn('accounts').where({ email_key: identityKey(email) }).first<AccountRow | undefined>();
}

export async function createAccount(tx: Tx, p: AccountProfile): Promise<AccountRow> {
  const [row] = await tx.trx('accounts').insert({ id: newId(), ...toColumns(p) }).returning('*');
  const account = row as AccountRow;
  await audit(tx, { orgId: null, action: 'account.create', targetType: 'account', targetId: account.id, after: { email: account.email } });
  return account;
}

/** Changes the account's own profile (a sign-in's claims, or the managing organization). */
export async function updateAccountProfile(tx: Tx, id: string, p: AccountProfile): Promise<AccountRow> {
  const cols = toColumns(p);
  if (!Object.keys(cols).length) return getAccount(tx.trx, id);
  const [row] = await tx.trx('accounts').where({ id }).update({ ...cols, updated_at: tx.trx.fn.now() }).returning('*');
  if (!row) throw notFound('account', id);
  return row as AccountRow;
}

/**
 * Links a member record to an account. The caller has the proof (SPEC §1 "Link"): a
 * sign-in whose verified email matches, an accepted invitation, a managed domain. A
 * record linked to someone else is never moved; an account has at most one record in an
 * organization.
 */
export async function linkRecord(tx: Tx, record: Pick<UserRow, 'id' | 'org_id' | 'account_id'>, accountId: string, by: LinkedBy): Promise<void> {
  if (record.account_id === accountId) return;
  if (record.account_id) throw conflict('this member record is linked to another account');
  const other = await tx.trx('users').where({ org_id: record.org_id, account_id: accountId }).first('id');
  if (other) throw conflict('this account is already linked to another member record of the organization');
  await tx.trx('users').where({ id: record.id }).whereNull('account_id').update({ account_id: accountId, linked_at: tx.trx.fn.now(), linked_by: by });
  await audit(tx, { orgId: record.org_id, action: 'member.link', targetType: 'user', targetId: record.id, after: { accountId, by } });
}

/**
 * The organization that manages an account (it verified the domain of the account's
 * address) keeps the account's profile in step with its record: names always, the address
 * only to another one in a domain it verified that no other account holds. Any other
 * organization's writes stay on its own record. Returns whether the account changed.
 */
export async function syncManagedAccount(tx: Tx, orgId: string, recordId: string): Promise<boolean> {
  const row = (await tx.trx.raw(
    `select a.id, a.email, a.email_key, a.display_name, a.given_name, a.family_name,
            u.email as r_email, u.display_name as r_display_name, u.given_name as r_given_name, u.family_name as r_family_name,
            exists (select 1 from org_domains d where d.org_id = u.org_id and d.status = 'verified'
                     and d.domain = split_part(lower(normalize(u.email, NFKC)), '@', 2)) as r_email_managed
       from users u join accounts a on a.id = u.account_id
      where u.id = ? and u.org_id = ?
        and exists (select 1 from org_domains d where d.org_id = u.org_id and d.status = 'verified' and d.domain = split_part(a.email_key, '@', 2))`,
    [recordId, orgId],
  )) as { rows: (AccountRow & { r_email: string | null; r_display_name: string | null; r_given_name: string | null; r_family_name: string | null; r_email_managed: boolean })[] };
  const r = row.rows[0];
  if (!r) return false;
  const patch: AccountProfile = {};
  if (r.r_display_name !== r.display_name) patch.displayName = r.r_display_name;
  if (r.r_given_name !== r.given_name) patch.givenName = r.r_given_name;
  if (r.r_family_name !== r.family_name) patch.familyName = r.r_family_name;
  if (r.r_email && identityKey(r.r_email) !== r.email_key && r.r_email_managed && !(await findAccountByEmail(tx.trx, r.r_email))) patch.email = r.r_email;
  if (!Object.keys(patch).length) return false;
  await updateAccountProfile(tx, r.id, patch);
  await audit(tx, { orgId, action: 'account.profile', targetType: 'account', targetId: r.id, before: { email: r.email, displayName: r.display_name }, after: { ...patch, by: 'managed_domain' } });
  return true;
}
