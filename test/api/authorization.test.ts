import { describe, expect, it } from 'vitest';
import { call, useCast, type Cast, type Harness } from './harness.ts';

// Every admin route against every role the seed tables name. Refused means 403 with the
// reason from can(), and nothing written: no audit row, no change.

let h: Harness;
let c: Cast;
useCast((run) => ({ h, c } = run));

type Role = 'admin' | 'teamAdmin' | 'member' | 'viewOnly' | 'orgViewer' | 'sysAdmin' | 'adminKey';
const ALL: Role[] = ['admin', 'teamAdmin', 'member', 'viewOnly', 'orgViewer', 'sysAdmin', 'adminKey'];
const ORG_ADMINS: Role[] = ['admin', 'adminKey'];

interface Case {
  name: string;
  method: string;
  path: (c: Cast) => string;
  body?: (c: Cast) => unknown;
  allowed: Role[];
}

const o = (c: Cast) => `/api/v1/orgs/${c.org.slug}`;
const ZERO = '00000000-0000-4000-8000-000000000000';

const cases: Case[] = [
  // organization
  { name: 'rename organization', method: 'PATCH', path: (c) => o(c), body: () => ({ name: 'Renamed' }), allowed: ORG_ADMINS },
  { name: 'change settings', method: 'PATCH', path: (c) => `${o(c)}/settings`, body: () => ({ teamJoinAtSignup: true }), allowed: ORG_ADMINS },
  { name: 'list domains', method: 'GET', path: (c) => `${o(c)}/domains`, allowed: ORG_ADMINS },
  { name: 'claim domain', method: 'POST', path: (c) => `${o(c)}/domains`, body: () => ({ domain: 'x.example' }), allowed: ORG_ADMINS },
  { name: 'verify domain', method: 'POST', path: (c) => `${o(c)}/domains/none.example/verify`, allowed: ORG_ADMINS },
  { name: 'release domain', method: 'DELETE', path: (c) => `${o(c)}/domains/none.example`, allowed: ORG_ADMINS },
  { name: 'set default team', method: 'PUT', path: (c) => `${o(c)}/default-team`, body: (c) => ({ teamId: c.teamA.id }), allowed: ORG_ADMINS },
  { name: 'view seat license', method: 'GET', path: (c) => `${o(c)}/seats`, allowed: [...ORG_ADMINS, 'sysAdmin'] },
  { name: 'set seat license', method: 'PUT', path: (c) => `${o(c)}/seats`, body: () => ({ fullSeats: null, viewerSeats: null }), allowed: ['sysAdmin'] },
  { name: 'assign billing admin', method: 'PUT', path: (c) => `${o(c)}/billing-admin`, body: (c) => ({ userId: c.admin.id }), allowed: ORG_ADMINS },
  { name: 'list role groups', method: 'GET', path: (c) => `${o(c)}/role-groups`, allowed: ORG_ADMINS },
  { name: 'create role group', method: 'POST', path: (c) => `${o(c)}/role-groups`, body: () => ({ groupName: 'g', orgRole: 'member' }), allowed: ORG_ADMINS },
  { name: 'delete role group', method: 'DELETE', path: (c) => `${o(c)}/role-groups/${ZERO}`, allowed: ORG_ADMINS },
  { name: 'list API keys', method: 'GET', path: (c) => `${o(c)}/api-keys`, allowed: ORG_ADMINS },
  { name: 'create API key', method: 'POST', path: (c) => `${o(c)}/api-keys`, body: () => ({ label: 'k' }), allowed: ORG_ADMINS },
  { name: 'revoke API key', method: 'DELETE', path: (c) => `${o(c)}/api-keys/${ZERO}`, allowed: ORG_ADMINS },
  // users
  { name: 'list users', method: 'GET', path: (c) => `${o(c)}/users`, allowed: ORG_ADMINS },
  { name: 'view a user', method: 'GET', path: (c) => `${o(c)}/users/${c.member.id}`, allowed: ORG_ADMINS },
  { name: 'view a user\'s activity', method: 'GET', path: (c) => `${o(c)}/users/${c.member.id}/activity`, allowed: ORG_ADMINS },
  { name: 'change a role', method: 'PATCH', path: (c) => `${o(c)}/users/${c.member.id}`, body: () => ({ orgRole: 'viewer' }), allowed: ORG_ADMINS },
  { name: 'change a seat', method: 'PATCH', path: (c) => `${o(c)}/users/${c.member.id}`, body: () => ({ modelsSeat: 'viewer' }), allowed: ORG_ADMINS },
  { name: 'deactivate', method: 'POST', path: (c) => `${o(c)}/users/${c.member.id}/deactivate`, allowed: ORG_ADMINS },
  { name: 'reactivate', method: 'POST', path: (c) => `${o(c)}/users/${c.member.id}/reactivate`, allowed: ORG_ADMINS },
  { name: 'remove', method: 'DELETE', path: (c) => `${o(c)}/users/${c.member.id}`, allowed: ORG_ADMINS },
  { name: 'list invitations', method: 'GET', path: (c) => `${o(c)}/invitations`, allowed: ORG_ADMINS },
  { name: 'invite', method: 'POST', path: (c) => `${o(c)}/invitations`, body: () => ({ emailOrUserName: 'new@acme.example' }), allowed: ORG_ADMINS },
  { name: 'revoke invitation', method: 'DELETE', path: (c) => `${o(c)}/invitations/${ZERO}`, allowed: ORG_ADMINS },
  { name: 'export CSV', method: 'GET', path: (c) => `${o(c)}/users.csv`, allowed: ORG_ADMINS },
  { name: 'activity chart', method: 'GET', path: (c) => `${o(c)}/activity`, allowed: [...ORG_ADMINS, 'sysAdmin'] },
  { name: 'audit log', method: 'GET', path: (c) => `${o(c)}/audit`, allowed: ORG_ADMINS },
  // teams
  { name: 'create team', method: 'POST', path: (c) => `${o(c)}/teams`, body: () => ({ name: 'New team' }), allowed: [...ORG_ADMINS, 'sysAdmin'] },
  { name: 'delete team', method: 'DELETE', path: (c) => `${o(c)}/teams/${c.teamA.id}`, allowed: [...ORG_ADMINS, 'sysAdmin'] },
  { name: 'team settings (own team)', method: 'PATCH', path: (c) => `${o(c)}/teams/${c.teamA.id}`, body: () => ({ privacy: 'team' }), allowed: [...ORG_ADMINS, 'teamAdmin'] },
  { name: 'add team member (own team)', method: 'POST', path: (c) => `${o(c)}/teams/${c.teamA.id}/members`, body: () => ({ user: 'vera' }), allowed: [...ORG_ADMINS, 'teamAdmin'] },
  { name: 'change team role (own team)', method: 'PATCH', path: (c) => `${o(c)}/teams/${c.teamA.id}/members/${c.member.id}`, body: () => ({ role: 'view-only' }), allowed: [...ORG_ADMINS, 'teamAdmin'] },
  { name: 'remove team member (own team)', method: 'DELETE', path: (c) => `${o(c)}/teams/${c.teamA.id}/members/${c.member.id}`, allowed: [...ORG_ADMINS, 'teamAdmin'] },
  { name: 'team settings (another team)', method: 'PATCH', path: (c) => `${o(c)}/teams/${c.teamB.id}`, body: () => ({ privacy: 'team' }), allowed: ORG_ADMINS },
  { name: 'add team member (another team)', method: 'POST', path: (c) => `${o(c)}/teams/${c.teamB.id}/members`, body: () => ({ user: 'max' }), allowed: ORG_ADMINS },
  { name: 'change team role (another team)', method: 'PATCH', path: (c) => `${o(c)}/teams/${c.teamB.id}/members/${c.admin.id}`, body: () => ({ role: 'admin' }), allowed: ORG_ADMINS },
  { name: 'remove team member (another team)', method: 'DELETE', path: (c) => `${o(c)}/teams/${c.teamB.id}/members/${c.admin.id}`, allowed: ORG_ADMINS },
  // custom roles and SCIM tokens
  { name: 'create custom role', method: 'POST', path: (c) => `${o(c)}/custom-roles`, body: () => ({ name: 'r', base: 'viewer', permissions: [] }), allowed: ORG_ADMINS },
  { name: 'update custom role', method: 'PATCH', path: (c) => `${o(c)}/custom-roles/${ZERO}`, body: () => ({ name: 'r2' }), allowed: ORG_ADMINS },
  { name: 'delete custom role', method: 'DELETE', path: (c) => `${o(c)}/custom-roles/${ZERO}`, allowed: ORG_ADMINS },
  { name: 'list SCIM tokens', method: 'GET', path: (c) => `${o(c)}/scim-tokens`, allowed: ORG_ADMINS },
  { name: 'create SCIM token', method: 'POST', path: (c) => `${o(c)}/scim-tokens`, body: () => ({ label: 'okta' }), allowed: ORG_ADMINS },
  { name: 'revoke SCIM token', method: 'DELETE', path: (c) => `${o(c)}/scim-tokens/${ZERO}`, allowed: ORG_ADMINS },
  // pages every member reads
  { name: 'organization page', method: 'GET', path: (c) => o(c), allowed: ALL },
  { name: 'own capabilities', method: 'GET', path: (c) => `${o(c)}/me`, allowed: ALL },
  { name: 'teams list', method: 'GET', path: (c) => `${o(c)}/teams`, allowed: ALL },
  { name: 'custom roles list', method: 'GET', path: (c) => `${o(c)}/custom-roles`, allowed: ALL },
  { name: 'team page', method: 'GET', path: (c) => `${o(c)}/teams/${c.teamA.id}`, allowed: ['admin', 'adminKey', 'teamAdmin', 'member', 'viewOnly', 'sysAdmin'] },
];

describe.each(cases)('$method $name', (tc) => {
  const refused = ALL.filter((r) => !tc.allowed.includes(r));
  it.each(refused)('refuses %s with 403 and writes nothing', async (role) => {
    const before = await h.t.db('audit_log').count<{ n: number }>({ n: '*' }).first();
    const r = await call(h, c.as[role], tc.method, tc.path(c), tc.body?.(c));
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect(r.body.error.message).toMatch(/^Not allowed: /);
    const after = await h.t.db('audit_log').count<{ n: number }>({ n: '*' }).first();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });
  if (tc.method === 'GET') {
    it.each(tc.allowed)('lets %s read it', async (role) => {
      const r = await call(h, c.as[role], tc.method, tc.path(c));
      expect(r.status, r.text).toBe(200);
    });
  }
});

describe('view-only members, organization viewers and viewer seats cannot write', () => {
  it('a team\'s view-only member is refused team settings with the reason', async () => {
    const r = await call(h, c.as.viewOnly, 'PATCH', `${o(c)}/teams/${c.teamA.id}`, { privacy: 'public' });
    expect(r.status).toBe(403);
    expect(r.body.error.details.reason).toMatch(/view-only/);
  });
  it('an organization viewer is refused by the read-only rule', async () => {
    const r = await call(h, c.as.orgViewer, 'POST', `${o(c)}/invitations`, { emailOrUserName: 'z@acme.example' });
    expect(r.body.error.details.reason).toMatch(/viewer/);
  });
});
