import { describe, expect, it } from 'vitest';
import { call, useCast, type CastRun } from './harness.ts';

// Issue 14 item 10 on the admin API: U+0000 and lone surrogates cannot be stored by
// PostgreSQL; they are refused with 400 before any query, wherever they arrive.

let run: CastRun;
useCast((r) => { run = r; });

describe('admin API: strings PostgreSQL cannot store', () => {
  it('400 for a NUL or a lone surrogate in a body, a query or a path', async () => {
    const { h, c, base } = run;
    const cases: [string, string, unknown?][] = [
      ['POST', `${base}/teams`, { name: 'nul\u0000team' }],
      ['POST', `${base}/teams`, { name: 'x\ud800' }],
      ['PATCH', `${base}`, { name: 'Acme\u0000' }],
      ['GET', `${base}/users?q=${encodeURIComponent('a\u0000')}`],
      ['GET', `/api/v1/orgs/${encodeURIComponent('acme\u0000')}/users`],
      ['GET', `${base}/teams/${encodeURIComponent('\u0000')}`],
    ];
    for (const [method, path, body] of cases) {
      const r = await call(h, c.as.admin, method, path, body);
      expect([r.status, r.body?.error?.code], `${method} ${path}`).toEqual([400, 'bad_request']);
    }
    expect(await h.t.db('teams').where('name', 'like', 'nul%')).toEqual([]);
    expect((await h.t.db('organizations').where({ id: c.org.id }).first()).name).toBe('Acme Research');
  });
});
