import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { authenticateScimToken } from '../../src/domain/scim-tokens.ts';
import { useCli } from '../support/cli.ts';

const run = useCli('tester');
const cli = run.cli;

describe('orgbridge CLI (in-process)', () => {
  it('org create with domains and a first admin, in one transaction; the first admin of an instance without one becomes system admin', async () => {
    const r = await cli('org', 'create', 'Globex', '--domain', 'globex.example', '--domain', 'GLOBEX.test', '--admin', 'hank@globex.example');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('admin: hank@globex.example (system admin: the instance had none)');
    // Claims start pending: the output says how to verify each.
    expect(r.stdout).toMatch(/^domain globex\.test pending: publish TXT _orgbridge-challenge\.globex\.test "orgbridge-verification=[0-9a-f]{32}", or run: orgbridge domain approve globex\.test$/m);
    const org = await run.t.db('organizations').where({ name: 'Globex' }).first();
    expect(await run.t.db('org_domains').where({ org_id: org.id }).orderBy('domain').pluck('domain')).toEqual(['globex.example', 'globex.test']);
    const admin = await run.t.db('memberships as m').join('users as u', 'u.id', 'm.user_id').where({ 'm.org_id': org.id }).first('u.email', 'u.account_id', 'u.linked_by', 'm.org_role', 'm.status');
    expect(admin).toMatchObject({ email: 'hank@globex.example', linked_by: 'operator', org_role: 'admin', status: 'active' });
    expect(await run.t.db('accounts').where({ id: admin.account_id }).first()).toMatchObject({ email: 'hank@globex.example', system_admin: true });
    const audit = await run.t.db('audit_log').where({ org_id: org.id }).orderBy('id').select('action', 'actor_type', 'actor_label');
    expect(audit.map((a) => a.action)).toEqual(['org.create', 'org.domain.claim', 'org.domain.claim', 'member.add']);
    expect(audit[0]).toMatchObject({ actor_type: 'cli', actor_label: 'cli:tester' });
    // A second organization's admin is not made system admin: the instance has one.
    const second = await cli('org', 'create', 'Aviato', '--admin', 'erlich@aviato.example');
    expect(second.stdout.split('\n')).toContain('admin: erlich@aviato.example');
    expect(await run.t.db('accounts').where({ email: 'erlich@aviato.example' }).first()).toMatchObject({ system_admin: false });
  });

  it('system-admin grant/revoke by email (an account is made for an address nobody signed in with yet); the last one stays', async () => {
    const grant = await cli('system-admin', 'grant', 'Ops@Example.test');
    expect(grant).toMatchObject({ code: 0, stderr: '' });
    const ops = await run.t.db('accounts').where({ email_key: 'ops@example.test' }).first();
    expect(ops).toMatchObject({ system_admin: true });
    expect(await run.t.db('audit_log').where({ action: 'system_admin.grant', target_id: ops.id, actor_type: 'cli' })).toHaveLength(1);
    expect((await cli('system-admin', 'revoke', 'hank@globex.example')).code).toBe(0);
    const last = await cli('system-admin', 'revoke', 'ops@example.test');
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/last-admin rule/);
    expect((await cli('system-admin', 'grant', 'not-an-address')).code).toBe(1);
    expect((await cli('system-admin', 'grant')).code).toBe(2);
  });

  it('identity list/unlink: the repair of a refused sign-in', async () => {
    const hank = await run.t.db('accounts').where({ email: 'hank@globex.example' }).first();
    await run.t.db('external_identities').insert({ provider: 'oidc:https://idp.globex.example', external_id: 'hank-1', account_id: hank.id });
    expect((await cli('identity', 'list', 'hank@globex.example')).stdout).toMatch(/^oidc:https:\/\/idp\.globex\.example\thank-1\t-$/);
    const r = await cli('identity', 'unlink', 'hank@globex.example', '--provider', 'oidc:https://idp.globex.example', '--subject', 'hank-1');
    expect(r).toMatchObject({ code: 0, stdout: 'unlinked oidc:https://idp.globex.example hank-1 from hank@globex.example' });
    expect(await run.t.db('external_identities').where({ account_id: hank.id })).toHaveLength(0);
    expect((await cli('identity', 'unlink', 'hank@globex.example', '--provider', 'oidc:https://idp.globex.example', '--subject', 'hank-1')).code).toBe(1);
    expect((await cli('identity', 'list', 'nobody@nowhere.example')).code).toBe(2);
    expect((await cli('identity', 'unlink', 'hank@globex.example')).code).toBe(2);
  });

  it('a refused org create leaves nothing behind', async () => {
    await cli('org', 'create', 'Initech', '--domain', 'initech.example');
    expect((await cli('domain', 'approve', 'initech.example')).code).toBe(0);
    const r = await cli('org', 'create', 'Initrode', '--domain', 'initech.example', '--admin', 'bill@initrode.example');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/initech\.example is already verified by another organization/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await run.t.db('organizations').where({ name: 'Initrode' })).toHaveLength(0);
    expect(await run.t.db('users').where({ email: 'bill@initrode.example' })).toHaveLength(0);
  });

  it('team create --default, org list, scim-token create/list/revoke', async () => {
    await cli('org', 'create', 'Umbrella');
    const team = await cli('team', 'create', '--org', 'umbrella', 'Research', '--default');
    expect(team.code).toBe(0);
    const org = await run.t.db('organizations').where({ name: 'Umbrella' }).first();
    const teamRow = await run.t.db('teams').where({ org_id: org.id, name: 'Research' }).first();
    expect(org.default_team_id).toBe(teamRow.id);

    const list = await cli('org', 'list');
    expect(list.stdout).toMatch(/Umbrella\t0 members\t-/);

    const created = await cli('scim-token', 'create', '--org', 'Umbrella', '--label', 'okta');
    expect(created.stdout).toMatch(/^obscim_[A-Za-z0-9_-]{43}$/);
    expect(await authenticateScimToken(run.t.db, created.stdout)).toMatchObject({ orgId: org.id });
    expect(JSON.stringify(await run.t.db('scim_tokens').where({ org_id: org.id }))).not.toContain(created.stdout);

    const tokens = await cli('scim-token', 'list', '--org', 'Umbrella');
    const id = tokens.stdout.split('\t')[0]!;
    expect(tokens.stdout).toMatch(/\tokta\t.*\tactive$/);
    expect((await cli('scim-token', 'revoke', id)).code).toBe(0);
    expect(await authenticateScimToken(run.t.db, created.stdout)).toBeNull();
    expect((await cli('scim-token', 'list', '--org', 'Umbrella')).stdout).toMatch(/\trevoked /);
  });

  it('domain approve verifies a pending claim (audited as the CLI); domain list shows every claim', async () => {
    await cli('org', 'create', 'Hooli', '--domain', 'hooli.example');
    const org = await run.t.db('organizations').where({ name: 'Hooli' }).first();
    const pending = await cli('domain', 'list', '--org', 'Hooli');
    expect(pending.stdout).toMatch(/^hooli\.example\tHooli\tpending\tpending until \S+: TXT _orgbridge-challenge\.hooli\.example "orgbridge-verification=[0-9a-f]{32}"$/);
    expect((await cli('org', 'list')).stdout).toMatch(/Hooli\t0 members\thooli\.example \(pending\)/);

    expect(await cli('domain', 'approve', 'Hooli.Example')).toEqual({ code: 0, stdout: 'approved hooli.example for Hooli', stderr: '' });
    expect(await run.t.db('org_domains').where({ org_id: org.id, domain: 'hooli.example' }).first()).toMatchObject({ status: 'verified', verified_by: 'operator' });
    const [row] = await run.t.db('audit_log').where({ org_id: org.id, action: 'org.domain.verify' });
    expect(row).toMatchObject({ actor_type: 'cli', actor_label: 'cli:tester', target_id: 'hooli.example', after: { domain: 'hooli.example', status: 'verified', verifiedBy: 'operator' } });
    expect((await cli('domain', 'approve', 'hooli.example')).stdout).toBe('hooli.example is already verified for Hooli (by operator)');
    expect((await cli('domain', 'list', '--org', 'hooli')).stdout).toMatch(/^hooli\.example\tHooli\tverified\tverified by operator \S+$/);
    expect((await cli('org', 'list')).stdout).toMatch(/Hooli\t0 members\thooli\.example$/m);
  });

  it('domain approve with several pending claims needs --org; the others\' claims go', async () => {
    await cli('org', 'create', 'Piper', '--domain', 'shared.example');
    await cli('org', 'create', 'Raviga', '--domain', 'shared.example');
    const ambiguous = await cli('domain', 'approve', 'shared.example');
    expect(ambiguous).toMatchObject({ code: 2, stdout: '', stderr: 'orgbridge: shared.example is claimed by 2 organizations (Piper, Raviga): name one with --org' });
    expect(await cli('domain', 'approve', 'shared.example', '--org', 'Raviga')).toMatchObject({
      code: 0,
      stdout: "approved shared.example for Raviga; removed 1 other organization(s)' pending claim(s) on it",
    });
    expect(await run.t.db('org_domains').where({ domain: 'shared.example' }).pluck('status')).toEqual(['verified']);
    expect((await cli('domain', 'approve', 'shared.example', '--org', 'Piper')).stderr).toBe('orgbridge: Piper has not claimed shared.example');
  });

  it('user mistakes: one line on stderr, non-zero exit, no stack trace', async () => {
    const cases: [string[], number, RegExp][] = [
      [['org', 'create'], 2, /usage: orgbridge org create/],
      [['team', 'create', '--org', 'nope', 'x'], 2, /no organization named "nope"/],
      [['scim-token', 'create'], 2, /--org <name> is required/],
      [['scim-token', 'revoke', 'not-an-id'], 2, /is not a token id/],
      [['scim-token', 'revoke', '00000000-0000-0000-0000-000000000000'], 1, /SCIM token .* not found/],
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['domain', 'approve'], 2, /usage: orgbridge domain approve <domain> \[--org <name>\]/],
      [['domain', 'approve', 'not_a_domain'], 2, /"not_a_domain" is not a domain name/],
      [['domain', 'approve', 'nobody.example'], 1, /no organization has claimed nobody\.example/],
      [['domain', 'approve', 'x.example', '--org', 'nope'], 2, /no organization named "nope"/],
      [['org', 'create', 'Gmail users', '--domain', 'gmail.com'], 1, /gmail\.com is a public email provider/],
      [['org', 'create', 'x', '--bogus'], 2, /Unknown option '--bogus'/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
  });
});

describe('npx orgbridge (a real process on the embedded database)', () => {
  const exec = promisify(execFile);
  it('org create then scim-token create prints a token; the README walk-through works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'orgbridge-cli-'));
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' };
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'orgbridge.js');
    const created = await exec(process.execPath, [bin, 'org', 'create', 'acme', '--domain', 'acme.example', '--admin', 'owner@acme.example'], { env });
    expect(created.stdout).toMatch(/created organization acme/);
    const token = await exec(process.execPath, [bin, 'scim-token', 'create', '--org', 'acme'], { env });
    expect(token.stdout.trim()).toMatch(/^obscim_[A-Za-z0-9_-]{43}$/);
    const failed = await exec(process.execPath, [bin, 'scim-token', 'create', '--org', 'nope'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2, stderr: 'orgbridge: no organization named "nope"\n' });
  }, 60_000);
});
