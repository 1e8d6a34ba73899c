import { expect, it } from 'vitest';
import { call, useCast, type Cast, type Harness } from './harness.ts';

// Unknown failures: a logged 500 with the one error shape, and nothing of the cause shown.

let h: Harness;
let c: Cast;
useCast((run) => ({ h, c } = run));

it('a failure the API does not know is a 500 "internal", with no detail leaked', async () => {
  await h.t.db.raw('alter table audit_log rename to audit_log_away');
  try {
    const r = await call(h, c.as.admin, 'POST', `/api/v1/orgs/${c.org.slug}/teams`, { name: 'Doomed' });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(r.text).not.toMatch(/audit_log|relation|sql/i);
  } finally {
    await h.t.db.raw('alter table audit_log_away rename to audit_log');
  }
  // The transaction rolled back: no team without its audit row.
  expect(await h.t.db('teams').where({ name: 'Doomed' }).first()).toBeUndefined();
});
