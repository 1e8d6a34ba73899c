import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createOrganization } from '../../src/domain/organizations.ts';
import { testActor } from '../support/factories.ts';
import { call, useCast, type Cast, type Harness } from '../api/harness.ts';

// /orgs/:org takes a slug or an id. Slugs are the operator's (set once, at creation), but
// were one ever shaped like another organization's id, the id must win: the other way,
// automation addressing its organization by id would land in the impostor's.

let h: Harness;
let c: Cast;
useCast((run) => ({ h, c } = run));

describe('organization references in the admin API', () => {
  it('an id names its organization even when another organization has it as its slug', async () => {
    const impostor = await runInTransaction(h.t.db, testActor, (tx) => createOrganization(tx, { name: 'Impostor', slug: c.org.id }));
    expect(impostor.slug).toBe(c.org.id);
    // Both rows match `slug = ref or id = ref`; whichever the database returns first, the id wins.
    for (let i = 0; i < 5; i++) {
      const res = await call(h, c.as.adminKey, 'GET', `/api/v1/orgs/${c.org.id}`);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(c.org.id);
    }
    const bySlug = await call(h, c.as.admin, 'GET', `/api/v1/orgs/${c.org.slug}`);
    expect(bySlug.body.id).toBe(c.org.id);
  });
});
