import { describe, expect, it } from 'vitest';
import { call, useCast, type Cast, type Harness } from './harness.ts';

// Refusals in people's words (issue 12 §6): each message names the field as the
// dashboard's form labels it, says what to do, and keeps the machine-readable issues.

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

describe('validation refusals name the field as the form does', () => {
  it('an empty invitation asks for an email address or username', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: '   ' });
    expect(r.status).toBe(422);
    expect(r.body.error).toEqual({
      code: 'invalid',
      message: 'Enter an email address or username.',
      details: { issues: [{ path: 'emailOrUserName', message: 'Enter an email address or username.' }] },
    });
    expect(r.text).not.toMatch(/Too small|expected string/);
  });

  it('a missing field is asked for; an unknown role lists the choices', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations`, { orgRole: 'owner' });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toBe('Enter an email address or username. Organization role must be one of: admin, member, viewer.');
    expect(r.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['emailOrUserName', 'orgRole']);
  });

  it('a team name over the limit says the limit and the length, under the form label "Team name"', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/teams`, { name: 'x'.repeat(500) });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toBe('Team name can be at most 128 characters (this one has 500).');
    expect(await h.t.db('teams').where('name', 'like', 'xxx%').first()).toBeUndefined();
  });

  it('a custom role without a name asks for a role name; unknown fields are named', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/custom-roles`, { name: '', base: 'member', colour: 'red' });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toBe('Enter a role name. Unknown field: colour.');
  });

  it('a non-id where an id is expected is said as such', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'x@acme.example', teamIds: ['vision'] });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toBe('Teams: “vision” is not an id this organization has.');
  });

  it('an audit date that is no date shows an example', async () => {
    const r = await call(h, c.as.admin, 'GET', `${base}/audit?from=yesterday`);
    expect(r.status).toBe(422);
    expect(r.body.error.message).toBe('From must be a date and time, like 2026-12-07T09:00:00Z.');
  });
});

describe('misses are said with what was typed', () => {
  it('adding someone who is not a member names the address typed', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: 'not-an-email' });
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({ code: 'not_found', message: 'No member with the email or username “not-an-email”.', details: { what: 'member', ref: 'not-an-email' } });
  });

  it('a member of another organization is no member here, said the same way (nothing leaks)', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/teams/${c.teamA.id}/members`, { user: 'olga@other.example' });
    expect(r.status).toBe(404);
    expect(r.body.error.message).toBe('No member with the email or username “olga@other.example”.');
  });

  it('a domain refusal passes as written; a missing team is "No such team."', async () => {
    const r = await call(h, c.as.admin, 'POST', `${base}/invitations`, { emailOrUserName: 'not-an-email' });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toBe('"not-an-email" is not an email address: an invitation is accepted by signing in with that address');
    const gone = await call(h, c.as.admin, 'DELETE', `${base}/teams/00000000-0000-4000-8000-000000000000`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toBe('No such team.');
  });
});
