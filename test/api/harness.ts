import { createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { runInTransaction, type Actor } from '../../src/domain/context.ts';
import { createApiKey } from '../../src/domain/service-accounts.ts';
import { addTeamMember } from '../../src/domain/teams.ts';
import type { TeamRole } from '../../src/domain/types.ts';
import { buildApp } from '../../src/http/app.ts';
import type { AppDeps } from '../../src/http/deps.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { responseChecker, type ResponseChecker } from '../support/openapi-check.ts';
import { accountFor, makeMember, makeOrg, makeTeam, testActor } from '../support/factories.ts';

// In-process HTTP harness for the admin API: a real app on 127.0.0.1, a real database,
// sessions made the way express-session would (a row in `sessions` and a signed cookie).

export const SESSION_SECRET = 'test-session-secret-0123456789abcdef';

export interface Harness {
  t: TestDb;
  deps: AppDeps;
  baseUrl: string;
  /** Every admin API answer held against the API description (issue 16 item 5). */
  responses: ResponseChecker;
  close(): Promise<void>;
}

/** `now` fixes the app's clock (reports, sessions, invitations) for tests that must not depend on the date; `port` fixes the port (PUBLIC_URL must name it). */
export async function startHarness(env: Record<string, string> = {}, opts: { now?: () => Date; port?: number } = {}): Promise<Harness> {
  const t = await createTestDb();
  const config: Config = loadConfig({ SESSION_SECRET, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1', ...env });
  const responses = responseChecker();
  const deps: AppDeps = { db: t.db, config, logger: createLogger('silent'), checkResponse: responses.check, ...(opts.now ? { now: opts.now } : {}) };
  const server: Server = await new Promise((resolve) => {
    const s = buildApp(deps).listen(opts.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    t,
    deps,
    baseUrl: `http://127.0.0.1:${port}`,
    responses,
    async close() {
      await new Promise((r) => server.close(r));
      await t.close();
      // OPENAPI_SEEN_DIR: each file leaves the answers it checked there, for a coverage count.
      if (process.env.OPENAPI_SEEN_DIR) writeFileSync(join(process.env.OPENAPI_SEEN_DIR, `${randomBytes(6).toString('hex')}.json`), JSON.stringify([...responses.seen]));
      // A file that does not check after each test (useCast does) still fails on a bad answer.
      const problems = responses.take();
      if (problems.length) throw new Error(`answers the API description does not allow:\n${problems.join('\n')}`);
    },
  };
}

/** express-session's cookie value: "s:" + sid + "." + HMAC-SHA256(secret, sid) in unpadded base64. */
export function signedSid(sid: string, secret = SESSION_SECRET): string {
  const mac = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${sid}.${mac}`);
}

export interface Session {
  /** The signed-in account (the actor of its requests). */
  accountId: string;
  cookie: string;
  csrf: string;
  sid: string;
}

/** A signed-in session of an account, or of the account linked to a member record (linked first if need be). */
export async function makeSession(h: Harness, accountOrRecordId: string): Promise<Session> {
  const isAccount = Boolean(await h.t.db('accounts').where({ id: accountOrRecordId }).first('id'));
  const accountId = isAccount ? accountOrRecordId : await accountFor(h.t.db, accountOrRecordId);
  const sid = randomBytes(16).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  // Signed in now (the app's clock): the store measures the idle timeout and the absolute
  // lifetime from here (src/sso/session/store.ts).
  // Through no provider (as the setup link's session): trusted for every organization. A
  // provider sign-in records its source and is held to that provider's trust; tests of
  // that sign in for real (test/sso, test/domain/provider-trust).
  const signedInAt = h.deps.now?.() ?? new Date();
  const expires = new Date(signedInAt.getTime() + 3600_000);
  await h.t.db('sessions').insert({
    sid,
    account_id: accountId,
    data: JSON.stringify({ cookie: { originalMaxAge: 3600_000, expires: expires.toISOString(), httpOnly: true, path: '/', sameSite: 'lax' }, accountId, authMethod: 'setup', csrfToken: csrf, signedInAt: signedInAt.toISOString() }),
    expires_at: expires,
  });
  return { accountId, cookie: `orgbridge.sid=${signedSid(sid)}`, csrf, sid };
}

export interface Res {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
  text: string;
  headers: Headers;
}

export type Who = Session | { apiKey: string } | null;

export async function call(h: Harness, who: Who, method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Res> {
  const headers: Record<string, string> = { ...extra };
  if (who && 'apiKey' in who) headers.authorization = `Bearer ${who.apiKey}`;
  else if (who) {
    headers.cookie = who.cookie;
    if (!['GET', 'HEAD'].includes(method)) headers['x-csrf-token'] ??= who.csrf;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** The account behind a member record, as the actor of a command it runs (e.g. creating an admin key). */
export async function actorOf(db: Harness['t']['db'], recordId: string): Promise<Actor> {
  const accountId = await accountFor(db, recordId);
  return { type: 'user', id: accountId, label: accountId };
}

/**
 * The cast of every test: one organization with two teams and a person in each role the
 * seed tables name, a system admin who is no member, and someone from another organization.
 */
export async function makeCast(h: Harness) {
  const db = h.t.db;
  const org = await makeOrg(db, 'Acme Research');
  const other = await makeOrg(db, 'Other Org');
  const teamA = await makeTeam(db, org.id, 'Vision');
  const teamB = await makeTeam(db, org.id, 'Language');
  const person = async (userName: string, opts: Parameters<typeof makeMember>[2] = {}) => (await makeMember(db, org.id, { userName, email: `${userName}@acme.example`, ...opts })).user;
  const admin = await person('ada', { orgRole: 'admin' });
  const teamAdmin = await person('tess', { orgRole: 'member' });
  const member = await person('max', { orgRole: 'member' });
  const viewOnly = await person('vic', { orgRole: 'member' });
  const orgViewer = await person('vera', { orgRole: 'viewer', modelsSeat: 'viewer' });
  const place = (teamId: string, userId: string, role: TeamRole) => runInTransaction(db, testActor, (tx) => addTeamMember(tx, org.id, teamId, userId, role));
  await place(teamA.id, teamAdmin.id, 'admin');
  await place(teamA.id, member.id, 'member');
  await place(teamA.id, viewOnly.id, 'view-only');
  await place(teamB.id, admin.id, 'member');
  const sysAdmin = (await makeMember(db, other.id, { userName: 'sam', email: 'sam@ops.example' })).user;
  await db('accounts').where({ id: await accountFor(db, sysAdmin.id) }).update({ system_admin: true });
  const outsider = (await makeMember(db, other.id, { userName: 'olga', email: 'olga@other.example', orgRole: 'admin' })).user;
  // An admin key is made by an admin of its organization and lives as long as their admin power.
  const { key: adminKey } = await runInTransaction(db, await actorOf(db, admin.id), (tx) => createApiKey(tx, org.id, { admin: true }, 'automation'));
  const { key: otherKey } = await runInTransaction(db, await actorOf(db, outsider.id), (tx) => createApiKey(tx, other.id, { admin: true }, 'other automation'));
  const as = {
    admin: await makeSession(h, admin.id),
    teamAdmin: await makeSession(h, teamAdmin.id),
    member: await makeSession(h, member.id),
    viewOnly: await makeSession(h, viewOnly.id),
    orgViewer: await makeSession(h, orgViewer.id),
    sysAdmin: await makeSession(h, sysAdmin.id),
    outsider: await makeSession(h, outsider.id),
    adminKey: { apiKey: adminKey },
    otherKey: { apiKey: otherKey },
  };
  return { org, other, teamA, teamB, admin, teamAdmin, member, viewOnly, orgViewer, sysAdmin, outsider, as };
}
export type Cast = Awaited<ReturnType<typeof makeCast>>;

/** The newest audit row of this organization (optionally of one action). */
export async function lastAudit(h: Harness, orgId: string, action?: string): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return h.t.db('audit_log').where({ org_id: orgId }).modify((q) => { if (action) q.where({ action }); }).orderBy('id', 'desc').first();
}

export interface CastRun {
  h: Harness;
  c: Cast;
  /** `/api/v1/orgs/<slug>` of the cast's organization. */
  base: string;
}

/**
 * Registers a running app with its cast for the calling test file: started before the
 * file's tests, closed after them. `assign` receives them once they exist.
 */
export function useCast(assign: (run: CastRun) => void): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness();
    const c = await makeCast(h);
    assign({ h, c, base: `/api/v1/orgs/${c.org.slug}` });
  });
  // Each test answers for the admin API responses it caused (test/support/openapi-check.ts).
  afterEach(() => {
    expect(h?.responses.take() ?? [], 'answers the API description does not allow').toEqual([]);
  });
  afterAll(async () => {
    await h?.close();
  });
}
