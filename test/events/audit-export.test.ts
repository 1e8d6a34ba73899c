import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createTeam } from '../../src/domain/teams.ts';
import { call, useCast, type Cast, type Harness } from '../api/harness.ts';
import { makeMember, testActor } from '../support/factories.ts';

// The audit log as NDJSON for SIEM (issue 16 item 6): oldest first, cursor paging forward,
// the organization's rows only, and only rows older than the settling delay.

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('GET /audit.ndjson', () => {
  it('pages the whole log forward by cursor, one JSON object a line, this organization only', async () => {
    // Rows written now are exported once settled: read with a clock a minute ahead.
    h.deps.now = () => new Date(Date.now() + 60_000);
    try {
      for (let i = 0; i < 7; i++) await runInTransaction(h.t.db, testActor, (tx) => createTeam(tx, c.org.id, { name: `siem-${i}` }));
      await makeMember(h.t.db, c.other.id, { userName: 'elsewhere@other.example' });
      const all = await h.t.db('audit_log').where({ org_id: c.org.id }).orderBy('id').select('id', 'action');

      const seen: { id: number; action: string; organizationId: string; after: { name?: string } | null }[] = [];
      let cursor = '0';
      for (let page = 0; page < 50; page++) {
        const r = await call(h, c.as.adminKey, 'GET', `${base}/audit.ndjson?cursor=${cursor}&limit=4`);
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
        const items = lines(r.text);
        expect(items.length).toBeLessThanOrEqual(4);
        const next = r.headers.get('x-next-cursor')!;
        expect(r.headers.get('link')).toBe(`<${base}/audit.ndjson?cursor=${next}&limit=4>; rel="next"`);
        if (!items.length) {
          expect(next).toBe(cursor); // nothing new: the same cursor, to poll again
          break;
        }
        seen.push(...items);
        cursor = next;
      }
      expect(seen.map((x) => x.id)).toEqual(all.map((a) => Number(a.id)));
      expect(new Set(seen.map((x) => x.organizationId))).toEqual(new Set([c.org.id]));
      expect(seen.find((x) => x.action === 'team.create' && x.after?.name === 'siem-0')).toMatchObject({ actor: { type: 'system', label: 'test' }, target: { type: 'team' }, outcome: 'ok', after: { name: 'siem-0' } });
    } finally {
      delete h.deps.now;
    }
  });

  it('holds back rows younger than the settling delay', async () => {
    h.deps.now = () => new Date(Date.now() + 60_000);
    const last = lines((await call(h, c.as.adminKey, 'GET', `${base}/audit.ndjson?limit=10000`)).text).pop();
    delete h.deps.now;
    await runInTransaction(h.t.db, testActor, (tx) => createTeam(tx, c.org.id, { name: 'fresh' }));
    const r = await call(h, c.as.adminKey, 'GET', `${base}/audit.ndjson?cursor=${last.id}`);
    expect(lines(r.text)).toEqual([]);
    expect(r.headers.get('x-next-cursor')).toBe(String(last.id));
  });

  it('is for those who may view the audit log', async () => {
    expect((await call(h, c.as.member, 'GET', `${base}/audit.ndjson`)).status).toBe(403);
    expect((await call(h, c.as.otherKey, 'GET', `${base}/audit.ndjson`)).status).toBe(403);
    expect((await call(h, c.as.admin, 'GET', `${base}/audit.ndjson?cursor=-1`)).status).toBe(422);
  });
});
