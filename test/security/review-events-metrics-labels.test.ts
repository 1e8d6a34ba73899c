import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { createApiKey } from '../../src/domain/service-accounts.ts';
import { httpDuration } from '../../src/lib/metrics.ts';
import { actorOf, startHarness, type Harness } from '../api/harness.ts';
import { makeMember, makeOrg } from '../support/factories.ts';

// Security review (events/metrics): the `route` label of orgbridge_http_request_duration_seconds
// must be a route pattern whatever the client sends. Express routers match paths
// case-insensitively, so `/API/V1/ORGS/<org>/…` reaches the same handlers: if the label
// kept the client's spelling (and the org's slug or id with it), one member could mint a
// new label set (14 series) per request, growing the process's memory and every scrape
// without bound.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ METRICS_TOKEN: 'metrics-token-0123456789' });
});
afterAll(async () => {
  await h?.close();
});

async function routeLabels(): Promise<Set<string>> {
  const got = await httpDuration.get();
  return new Set(got.values.map((v) => String(v.labels.route)));
}

describe('metrics route labels', () => {
  it('are route patterns, whatever the case or spelling of the path the client sends', async () => {
    const org = await makeOrg(h.t.db, 'Initech Labs');
    const admin = (await makeMember(h.t.db, org.id, { userName: 'bill@initech.example', orgRole: 'admin' })).user.id;
    const { key } = await runInTransaction(h.t.db, await actorOf(h.t.db, admin), (tx) => createApiKey(tx, org.id, { admin: true }, 'automation'));
    const get = (path: string) => fetch(`${h.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });

    const slug = org.slug;
    const variants = [
      `/api/v1/orgs/${slug}/webhooks`,
      `/API/V1/ORGS/${slug}/webhooks`,
      `/api/v1/ORGS/${slug.toUpperCase()}/webhooks`,
      `/Api/v1/orgs/${org.id}/webhooks`,
      `/api/V1/orgs/${org.id.toUpperCase()}/WEBHOOKS`,
      `/API/v1/openapi.json`,
      `/api/v1/orgs/${slug}/webhooks/`,
    ];
    for (const v of variants) expect((await get(v)).status, v).toBe(200);

    // The two patterns those requests matched, and nothing else: no client spelling, no slug, no id.
    expect([...(await routeLabels())].sort()).toEqual(['/api/v1/openapi.json', '/api/v1/orgs/:org/webhooks']);
  });
});
