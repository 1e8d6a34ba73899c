import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { isDomainError } from '../../src/domain/errors.ts';
import { deactivateMember, setModelsSeat, setOrgRole, setWeaveAccess } from '../../src/domain/memberships.ts';
import { updatePerson } from '../../src/domain/people.ts';
import { addTeamMember, createTeam, renameTeam } from '../../src/domain/teams.ts';
import { eventTypeOf } from '../../src/events/types.ts';
import { useTestDb } from '../support/db.ts';
import { makeMember, makeOrg, testActor } from '../support/factories.ts';

// The transactional outbox (issue 16 item 1): an event is written with its audit row, in
// the change's own transaction — a rolled-back change leaves neither; a committed one
// always has its event; a last-admin refusal (written after the rollback) has its event.

const t = useTestDb();

async function eventsOf(orgId: string) {
  return t.db('events as e').join('audit_log as a', 'a.id', 'e.audit_id').where('e.org_id', orgId).orderBy('e.id').select('e.type', 'e.subject', 'a.action', 'a.outcome', 'a.target_id');
}

describe('outbox', () => {
  it('a committed change has its event, derived from its audit row, with the subject', async () => {
    const org = await makeOrg(t.db);
    const { user } = await makeMember(t.db, org.id, { userName: 'ann@acme.example', orgRole: 'admin' });
    const { user: bob } = await makeMember(t.db, org.id, { userName: 'bob@acme.example' });
    await t.run((tx) => setOrgRole(tx, org.id, bob.id, 'viewer'));
    await t.run((tx) => setModelsSeat(tx, org.id, bob.id, 'viewer'));
    await t.run((tx) => setWeaveAccess(tx, org.id, bob.id, 'none'));
    await t.run((tx) => updatePerson(tx, bob.id, { displayName: 'Bob B.' }));
    const team = await t.run((tx) => createTeam(tx, org.id, { name: 'Vision' }));
    await t.run((tx) => renameTeam(tx, org.id, team.id, 'Vision 2'));
    await t.run((tx) => addTeamMember(tx, org.id, team.id, bob.id, 'member'));
    await t.run((tx) => deactivateMember(tx, org.id, bob.id));
    const events = await eventsOf(org.id);
    expect(events.map((e) => e.type)).toEqual([
      'member.provisioned',
      'member.provisioned',
      'member.role_changed',
      'member.seat_changed',
      'member.weave_access_changed',
      'member.updated',
      'team.created',
      'team.renamed',
      'team.members_added',
      'member.deactivated',
    ]);
    expect(events[0]).toMatchObject({ subject: `user:${user.id}`, target_id: user.id });
    expect(events[6]).toMatchObject({ subject: `team:${team.id}` });
    // Every directory-change audit row of the organization has exactly one event.
    const audited = await t.db('audit_log').where({ org_id: org.id, outcome: 'ok' }).select('id', 'action');
    const withEvent = audited.filter((a) => eventTypeOf(a.action, 'ok'));
    expect(withEvent).toHaveLength(events.length);
  });

  it('a rolled-back change emits nothing', async () => {
    const org = await makeOrg(t.db);
    const before = await t.db('events').count<{ n: number }[]>({ n: '*' });
    await expect(
      runInTransaction(t.db, testActor, async (tx) => {
        await createTeam(tx, org.id, { name: 'Doomed' });
        throw new Error('the request failed after the change');
      }),
    ).rejects.toThrow('the request failed');
    const after = await t.db('events').count<{ n: number }[]>({ n: '*' });
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
    expect(await t.db('teams').where({ org_id: org.id, name: 'Doomed' }).first()).toBeUndefined();
    expect(await t.db('audit_log').where({ org_id: org.id, action: 'team.create' }).first()).toBeUndefined();
  });

  it('a last-admin refusal rolls the change back and records the refusal with its event', async () => {
    const org = await makeOrg(t.db);
    const { user: only } = await makeMember(t.db, org.id, { userName: 'only@acme.example', orgRole: 'admin' });
    const err = await t.run((tx) => setOrgRole(tx, org.id, only.id, 'member')).catch((e: unknown) => e);
    expect(isDomainError(err, 'last_admin')).toBe(true);
    const events = await eventsOf(org.id);
    expect(events.map((e) => [e.type, e.action, e.outcome])).toEqual([
      ['member.provisioned', 'member.add', 'ok'],
      ['refusal.last_admin', 'member.role', 'refused'],
    ]);
    expect((await t.db('memberships').where({ user_id: only.id }).first()).org_role).toBe('admin');
  });

  it('audited actions that are not directory changes emit no event; seat-limit refusals neither', () => {
    expect(eventTypeOf('scim_token.create', 'ok')).toBeNull();
    expect(eventTypeOf('sso.sign_in', 'ok')).toBeNull();
    expect(eventTypeOf('member.seat', 'refused', 'seat_limit')).toBeNull();
    expect(eventTypeOf('org.domain.verify', 'ok')).toBe('domain.verified');
    expect(eventTypeOf('custom_role.update', 'ok')).toBe('custom_role.updated');
  });
});
