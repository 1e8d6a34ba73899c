import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_URN, GROUP_URN, startScim, USER_URN, type ScimClient } from './support.ts';

// Issue 14 item 6. bulkId references (RFC 7644 §3.7.2) are resolved once, in topological
// order; a circular reference is 409 (§3.7.1). No Bulk request holds the event loop: the
// worst input the default limits admit (1 MB, 1,000 operations chained by bulkId whose
// first referent fails) used to hold it for seconds (the references were re-serialised and
// re-scanned on every pass, O(n²) passes of O(n) work).

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
let c: ScimClient;
beforeAll(async () => { c = await startScim(); }); // the default limits: 1,000 operations, 1 MB
afterAll(async () => { await c.close(); });

/** Watches the event loop until the returned function is called: its longest delay, and the most CPU spent between two turns. */
function watchLoop(): () => { wallMs: number; cpuMs: number } {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let cpuMs = 0;
  let since = process.cpuUsage();
  const tick = setInterval(() => {
    const used = process.cpuUsage(since);
    cpuMs = Math.max(cpuMs, (used.user + used.system) / 1000);
    since = process.cpuUsage();
  }, 1);
  return () => {
    clearInterval(tick);
    delay.disable();
    return { wallMs: delay.max / 1e6, cpuMs };
  };
}

/** 1,000 group creations, each naming the next one's bulkId as a member; the last one fails. */
function chain(n: number, pad: number) {
  const ops: unknown[] = [];
  for (let i = 0; i < n - 1; i++) {
    ops.push({ method: 'POST', bulkId: `b${i}`, path: '/Groups', data: { schemas: [GROUP_URN], displayName: `chain ${i} ${'x'.repeat(pad)}`, members: [{ value: `bulkId:b${i + 1}` }] } });
  }
  // No userName: 400 invalidValue, so every operation above it has a referent that failed.
  ops.push({ method: 'POST', bulkId: `b${n - 1}`, path: '/Users', data: { schemas: [USER_URN], title: 'x'.repeat(pad) } });
  return { schemas: [BULK], Operations: ops };
}

describe('Bulk bulkId references', () => {
  it('1 MB of 1,000 chained operations whose referents fail: every one answered, the event loop never held for 100 ms', async () => {
    const body = JSON.stringify(chain(1000, 860));
    expect(body.length).toBeGreaterThan(950_000);
    expect(body.length).toBeLessThan(1_048_576);
    // Warm up first, unmeasured: a cold process compiles the code paths (and grows its heap)
    // on first use, which is not the stall under test.
    expect((await c.call('POST', '/scim/v2/Bulk', body)).status).toBe(200);
    // The best of up to five runs: a run that the (shared, loaded) test machine happens to
    // deschedule, or a major GC, does not decide; the old code stalled every run for seconds
    // (one run over a second is enough to tell). Beside the loop's delay (wall time), the
    // watch records the CPU this process spent between two turns of the loop: when parallel
    // test files leave this process waiting for a core, the wall-time stall grows while the
    // work done in it does not — that CPU figure is what a faster machine would see.
    const stalls: { wallMs: number; cpuMs: number }[] = [];
    for (let run = 0; run < 5; run++) {
      const stop = watchLoop();
      const r = await c.call('POST', '/scim/v2/Bulk', body);
      stalls.push(stop());
      expect(r.status).toBe(200);
      const ops = r.body.Operations as { bulkId: string; status: string; response?: { scimType?: string; detail: string; schemas: string[] } }[];
      expect(ops).toHaveLength(1000);
      // answered in the order they were sent
      expect(ops.map((o) => o.bulkId)).toEqual(Array.from({ length: 1000 }, (_, i) => `b${i}`));
      expect(ops[999]).toMatchObject({ status: '400', response: { schemas: [ERROR_URN], scimType: 'invalidValue' } });
      for (let i = 0; i < 999; i++) {
        expect(ops[i]!.status, `b${i}`).toBe('409');
        expect(ops[i]!.response!.detail).toContain(`b${i + 1}`);
      }
      const last = stalls.at(-1)!;
      if (last.wallMs < 100 || last.wallMs > 1000) break;
    }
    expect(await c.db('teams').where('name', 'like', 'chain %')).toEqual([]);
    console.log(`Bulk worst case, longest event-loop stall per run: ${stalls.map((m) => `${m.wallMs.toFixed(1)} ms (CPU ${m.cpuMs.toFixed(1)} ms)`).join(' / ')}`);
    // The old code held the loop for 3–6 s of CPU on this input; the new one for a few ms.
    const best = stalls.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    expect(best.wallMs < 100 || Math.min(...stalls.map((m) => m.cpuMs)) < 100, `stalls ${JSON.stringify(stalls)}`).toBe(true);
  }, 120_000);

  it('resolves a chain sent in reverse dependency order: each referent is created before its dependants', async () => {
    const ops = [
      { method: 'POST', bulkId: 'g2', path: '/Groups', data: { schemas: [GROUP_URN], displayName: 'rev g2', externalId: 'after bulkId:g1', members: [{ value: 'bulkId:u1' }] } },
      { method: 'POST', bulkId: 'g1', path: '/Groups', data: { schemas: [GROUP_URN], displayName: 'rev g1', members: [{ value: 'bulkId:u1' }] } },
      { method: 'PATCH', path: '/Groups/bulkId:g1', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'rev g1 renamed' }] } },
      { method: 'POST', bulkId: 'u1', path: '/Users', data: { schemas: [USER_URN], userName: 'rev-u1@corp.test' } },
    ];
    const r = await c.call('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations: ops });
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201', '204', '201']);
    const user = await c.db('users').where({ user_name: 'rev-u1@corp.test' }).first();
    const g1 = await c.db('teams').where({ name: 'rev g1 renamed' }).first();
    expect(g1).toBeDefined();
    expect((await c.db('team_members').where({ team_id: g1.id })).map((m) => m.user_id)).toEqual([user.id]);
    // a reference inside any string is replaced by the created id
    const g2 = r.body.Operations[0].location.split('/').pop();
    expect((await c.call('GET', `/scim/v2/Groups/${g2}`)).body.externalId).toBe(`after ${g1.id}`);
  });

  it('a cycle (and what hangs on it) is 409; what does not is done', async () => {
    const r = await c.call('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', bulkId: 'x', path: '/Groups', data: { schemas: [GROUP_URN], displayName: 'cyc x', members: [{ value: 'bulkId:y' }] } },
        { method: 'POST', bulkId: 'y', path: '/Groups', data: { schemas: [GROUP_URN], displayName: 'cyc y', members: [{ value: 'bulkId:x' }] } },
        { method: 'POST', bulkId: 's', path: '/Groups', data: { schemas: [GROUP_URN], displayName: 'cyc self', members: [{ value: 'bulkId:s' }] } },
        { method: 'PATCH', path: '/Groups/bulkId:x', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'never' }] } },
        { method: 'POST', bulkId: 'free', path: '/Users', data: { schemas: [USER_URN], userName: 'cyc-free@corp.test' } },
      ],
    });
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['409', '409', '409', '409', '201']);
    expect(r.body.Operations[0].response.detail).toMatch(/circular/);
    expect(await c.db('teams').where('name', 'like', 'cyc %')).toEqual([]);
  });

  it('a bulkId declared twice is refused before anything runs', async () => {
    const r = await c.call('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', bulkId: 'd', path: '/Users', data: { schemas: [USER_URN], userName: 'dup1@corp.test' } },
        { method: 'POST', bulkId: 'd', path: '/Users', data: { schemas: [USER_URN], userName: 'dup2@corp.test' } },
      ],
    });
    expect([r.status, r.body.scimType]).toEqual([400, 'invalidSyntax']);
    expect(await c.db('users').whereIn('user_name', ['dup1@corp.test', 'dup2@corp.test'])).toEqual([]);
  });
});
