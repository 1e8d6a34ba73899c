import type { Conn } from '../db/connect.ts';
import { placeholders, sql } from '../db/sql.ts';
import { newId } from '../lib/secrets.ts';
import type { Tx } from './context.ts';
import { audit } from './audit.ts';
import { conflict, invalid, isUniqueViolation, notFound, uniqueness } from './errors.ts';
import type { LinkedBy, UserRow } from './types.ts';

// Member records (SPEC §1): what one organization knows of a person — what SCIM calls a
// User. A record belongs to one organization and is read and written by it alone; the
// person who signs in is an account (accounts.ts), linked to a record only by proof.
// userName is unique within the organization under NFKC + case-fold, computed by the
// database (migrations 001 and 005) so its unique index enforces it, also under
// concurrent creates; emails are not unique (RFC 7643 §4.1.2 makes only userName unique).

export interface EmailInput {
  value: string;
  type?: string | null;
  primary?: boolean;
  /** RFC 7643 §2.4 `display`: a label for people, kept as given. */
  display?: string | null;
}

export interface PersonInput {
  userName: string;
  email?: string | null;
  emails?: EmailInput[];
  displayName?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  middleName?: string | null;
  honorificPrefix?: string | null;
  honorificSuffix?: string | null;
  nickName?: string | null;
  title?: string | null;
  locale?: string | null;
  timezone?: string | null;
  preferredLanguage?: string | null;
  /** Other SCIM attributes kept as given (phoneNumbers, addresses, enterprise extension…). */
  profile?: Record<string, unknown>;
}

const COLUMNS: Record<Exclude<keyof PersonInput, 'emails' | 'profile'>, keyof UserRow> = {
  userName: 'user_name',
  email: 'email',
  displayName: 'display_name',
  givenName: 'given_name',
  familyName: 'family_name',
  middleName: 'middle_name',
  honorificPrefix: 'honorific_prefix',
  honorificSuffix: 'honorific_suffix',
  nickName: 'nick_name',
  title: 'title',
  locale: 'locale',
  timezone: 'timezone',
  preferredLanguage: 'preferred_language',
};

/** The key the database compares on, computed the same way here for lookups. */
export function identityKey(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/** Whether a string has the shape of an email address (one @, something on both sides, no spaces). */
export const isAddress = (s: string): boolean => /^[^\s@]+@[^\s@]+$/.test(s);

/**
 * The record's primary email, mirrored in users.email: what sign-in links by, what a
 * managed domain links at creation and what syncs a managed account. RFC 7643 §4.1.2 only
 * says an email SHOULD be an address, and IdPs and test suites send others
 * ("emailName357"); those are stored in user_emails as given, but never become the
 * primary email, so no sign-in, link or domain capture ever compares against one.
 */
function primaryEmail(p: Partial<PersonInput>): string | null | undefined {
  if (p.emails !== undefined) {
    const chosen = p.emails.find((e) => e.primary) ?? p.emails[0];
    if (!chosen) return p.email ?? null;
    return isAddress(chosen.value) ? chosen.value : null;
  }
  return p.email;
}

function toColumns(p: Partial<PersonInput>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(COLUMNS)) {
    const v = p[k as keyof PersonInput];
    if (v !== undefined) out[col] = v;
  }
  const email = primaryEmail(p);
  if (email !== undefined) out.email = email;
  if (p.profile !== undefined) out.profile = JSON.stringify(p.profile);
  return out;
}

function checkPerson(p: Partial<PersonInput>): void {
  if (p.userName !== undefined && (typeof p.userName !== 'string' || !p.userName.trim())) {
    throw invalid('userName must be a non-empty string');
  }
  // An explicit email (the admin API, sign-in) must be an address; a SCIM emails list may
  // hold other values (primaryEmail never picks one of those).
  if (p.email && !isAddress(p.email)) throw invalid(`"${p.email}" is not an email address`);
}

/** The only unique attribute of a record: userName within its organization (never another organization's). */
function uniquenessError(p: Partial<PersonInput>): Error {
  return uniqueness(`a user with userName ${p.userName} already exists in this organization`, { attribute: 'userName' });
}

/** Replaces a person's addresses; `fresh` (a person created in this transaction) has none to clear. */
async function writeEmails(tx: Tx, userId: string, emails: EmailInput[], fresh = false): Promise<void> {
  if (!fresh) await tx.trx('user_emails').where({ user_id: userId }).delete();
  const seen = new Set<string>();
  const rows = emails
    .filter((e) => {
      const k = identityKey(e.value);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((e, i) => [userId, e.value, e.type ?? null, e.primary ?? false, i, e.display ?? null]);
  if (rows.length) {
    // Every create writes one; see insertUser for why this is SQL rather than a builder.
    await sql(tx.trx, `insert into user_emails (user_id, value, type, "primary", position, display) values ${rows.map((_, i) => `(${placeholders(6, i * 6 + 1)})`).join(', ')}`, rows.flat());
  }
}

/**
 * `insert into users … returning *` for the columns given. Written as SQL (run by
 * db/sql.ts) because it is the create path's widest statement and the query builder's
 * compilation of it is a measurable share of a create's CPU (BENCHMARKS.md, "Reading these
 * numbers"); bench/floor.ts replays it. Column names come from toColumns (COLUMNS,
 * profile) plus id, never from input.
 */
async function insertUser(tx: Tx, cols: Record<string, unknown>, managedEmail: string | null): Promise<UserRow> {
  const names = Object.keys(cols);
  const values = Object.values(cols);
  if (!managedEmail) {
    const text = `insert into users (${names.map((n) => `"${n}"`).join(', ')}) values (${placeholders(names.length)}) returning *`;
    return (await sql<UserRow>(tx.trx, text, values))[0]!;
  }
  // A managed domain links at creation, in the same statement (SPEC §1 "Link"): the
  // account that holds the address, when this organization verified its domain and has
  // no other record linked to that account.
  const e = names.length + 1;
  const o = names.indexOf('org_id') + 1;
  const text = `with managed as (
      select a.id from accounts a
       where a.email_key = lower(normalize($${e}::text, NFKC))
         and exists (select 1 from org_domains d where d.org_id = $${o} and d.status = 'verified' and d.domain = split_part(a.email_key, '@', 2))
         and not exists (select 1 from users x where x.org_id = $${o} and x.account_id = a.id))
    insert into users (${names.map((n) => `"${n}"`).join(', ')}, account_id, linked_at, linked_by)
    values (${placeholders(names.length)}, (select id from managed),
            case when exists (select 1 from managed) then now() end,
            case when exists (select 1 from managed) then 'managed_domain' end)
    returning *`;
  return (await sql<UserRow>(tx.trx, text, [...values, managedEmail]))[0]!;
}

/** A proven link made with the record (a sign-in, an accepted invitation, a managed domain). */
export interface RecordLink {
  accountId: string;
  by: LinkedBy;
}

/**
 * Creates a member record in `orgId`; `link` links it to an account at once. Without one,
 * a record whose address is in a domain the organization verified is linked to the account
 * that holds that address (the organization manages it).
 */
export async function createPerson(tx: Tx, orgId: string, p: PersonInput, link?: RecordLink): Promise<UserRow> {
  checkPerson(p);
  const id = newId();
  const linked = link ? { account_id: link.accountId, linked_by: link.by, linked_at: new Date() } : {};
  const address = primaryEmail(p) ?? (p.userName.includes('@') ? p.userName : null);
  try {
    const row = await insertUser(tx, { id, org_id: orgId, ...linked, ...toColumns(p) }, link ? null : address);
    if (row.account_id && !link) {
      await audit(tx, { orgId, action: 'member.link', targetType: 'user', targetId: row.id, after: { accountId: row.account_id, by: 'managed_domain' } });
    }
    const email = primaryEmail(p);
    await writeEmails(tx, id, p.emails ?? (email ? [{ value: email, type: 'work', primary: true }] : []), true);
    return row;
  } catch (err: unknown) {
    if (isUniqueViolation(err, 'users_org_account')) throw conflict('another record of this organization is already linked to that account');
    if (isUniqueViolation(err)) throw uniquenessError(p);
    throw err;
  }
}

/** Changes profile fields; emails, when given, replace the whole list. */
export async function updatePerson(tx: Tx, userId: string, p: Partial<PersonInput>): Promise<UserRow> {
  checkPerson(p);
  const cols = toColumns(p);
  try {
    const [row] = await tx.trx('users')
      .where({ id: userId })
      .update({ ...cols, updated_at: tx.trx.fn.now() })
      .returning('*');
    if (!row) throw notFound('user', userId);
    if (p.emails !== undefined) await writeEmails(tx, userId, p.emails);
    // Which fields changed, not their values: the event a profile change emits (issue 16)
    // tells a subscriber to re-read the record.
    await audit(tx, { orgId: (row as UserRow).org_id, action: 'member.update', targetType: 'user', targetId: userId, after: { fields: Object.keys(p).sort() } });
    return row as UserRow;
  } catch (err: unknown) {
    if (isUniqueViolation(err)) throw uniquenessError(p);
    throw err;
  }
}

export async function getUser(conn: Conn, id: string): Promise<UserRow> {
  const u = await conn('users').where({ id }).first<UserRow | undefined>();
  if (!u) throw notFound('user', id);
  return u;
}

/** The record with this userName in one organization (compared under NFKC + case-fold). */
export async function findRecordByUserName(conn: Conn, orgId: string, userName: string): Promise<UserRow | undefined> {
  return conn('users').where({ org_id: orgId, user_name_key: identityKey(userName) }).first<UserRow | undefined>();
}

export async function listEmails(conn: Conn, userIds: string[]): Promise<Map<string, EmailInput[]>> {
  const out = new Map<string, EmailInput[]>();
  if (!userIds.length) return out;
  const rows = await conn('user_emails').whereIn('user_id', userIds).orderBy(['user_id', 'position']);
  for (const r of rows as { user_id: string; value: string; type: string | null; primary: boolean }[]) {
    const list = out.get(r.user_id) ?? [];
    list.push({ value: r.value, type: r.type, primary: r.primary });
    out.set(r.user_id, list);
  }
  return out;
}
