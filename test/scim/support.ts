import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Db } from '../../src/db/connect.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { createScimToken } from '../../src/domain/scim-tokens.ts';
import type { OrganizationRow, UserRow } from '../../src/domain/types.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';

// In-process SCIM over real HTTP: buildApp on 127.0.0.1:0, Node's fetch, a fresh
// database per test file (PGlite, or a PostgreSQL schema with DATABASE_URL).

export const SCIM_JSON = 'application/scim+json';

export interface ScimClient {
  url: string;
  token: string;
  org: OrganizationRow;
  admin: UserRow;
  db: Db;
  t: TestDb;
  logs: string[];
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  newOrg(): Promise<{ org: OrganizationRow; token: string; admin: UserRow }>;
  close(): Promise<void>;
}

export interface ScimReply {
  status: number;
  headers: Headers;
  body: any;
}

export async function orgWithToken(db: Db, label = 'test'): Promise<{ org: OrganizationRow; token: string; admin: UserRow }> {
  const org = await makeOrg(db);
  const { user: admin } = await makeMember(db, org.id, { orgRole: 'admin' });
  const { token } = await runInTransaction(db, testActor, (tx) => createScimToken(tx, org.id, label));
  return { org, token, admin };
}

export async function startScim(overrides: Partial<Config['scim']> = {}): Promise<ScimClient> {
  const t = await createTestDb();
  const base = loadConfig({});
  const config: Config = { ...base, scim: { ...base.scim, ...overrides } };
  const logs: string[] = [];
  const logger = createLogger('error', new Writable({ write(chunk, _e, cb) { logs.push(String(chunk)); cb(); } }));
  const app = buildApp({ db: t.db, config, logger });
  const server: Server = createServer(app);
  // A test may spend longer than Node's 5 s keep-alive between two requests (a bulk load);
  // the server must not close the idle socket that fetch is about to reuse (ECONNRESET).
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const { org, token, admin } = await orgWithToken(t.db, 'primary');
  const client: ScimClient = {
    url,
    token,
    org,
    admin,
    db: t.db,
    t,
    logs,
    async call(method, path, body, headers = {}) {
      const h: Record<string, string> = { authorization: `Bearer ${token}`, accept: SCIM_JSON, ...headers };
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === 'string' ? body : JSON.stringify(body);
        h['content-type'] ??= SCIM_JSON;
      }
      const res = await fetch(`${url}${path}`, { method, headers: h, body: payload });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { /* keep text */ }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    newOrg: () => orgWithToken(t.db, 'other'),
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await t.close();
    },
  };
  return client;
}

/** A fetch with another token (or none). */
export async function callWith(url: string, token: string | null, method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<ScimReply> {
  const headers: Record<string, string> = { ...extra };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] ??= SCIM_JSON;
  const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* keep text */ }
  return { status: res.status, headers: res.headers, body: parsed };
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ORGBRIDGE_URN = 'urn:orgbridge:params:scim:schemas:extension:orgbridge:2.0:User';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
