import { runCli } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/load.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { createProject, setProjectRole, type ProjectVisibility } from '../../src/domain/projects.ts';
import { createServiceAccount } from '../../src/domain/service-accounts.ts';
import { createServiceAccountKey } from '../../src/domain/service-account-keys.ts';
import { call, type Harness } from '../api/harness.ts';
import { testActor } from '../support/factories.ts';

/** A platform credential made the way an operator makes one: with the CLI. */
export async function platformCredential(h: Harness, org?: string): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['platform-credential', 'create', ...(org ? ['--org', org] : []), '--label', 'platform'], { USER: 'op' }, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, { db: h.t.db, config: loadConfig({}) });
  if (code !== 0) throw new Error(`platform-credential create: ${err.join('\n')}`);
  return out.join('').trim();
}

export async function decisions(h: Harness, secret: string, checks: unknown[]) {
  return call(h, { apiKey: secret }, 'POST', '/api/v1/decisions', { checks });
}

export const run = <T>(h: Harness, fn: Parameters<typeof runInTransaction<T>>[2]) => runInTransaction(h.t.db, testActor, fn);

export async function project(h: Harness, orgId: string, teamId: string, visibility: ProjectVisibility, ownerMemberId?: string, name = `p-${Math.random().toString(36).slice(2, 8)}`) {
  return run(h, (tx) => createProject(tx, orgId, { name, teamId, visibility, ...(ownerMemberId ? { owner: { memberId: ownerMemberId } } : {}) }));
}

export async function projectRole(h: Harness, orgId: string, projectId: string, memberId: string, role: 'admin' | 'member' | 'view-only') {
  await run(h, (tx) => setProjectRole(tx, orgId, projectId, memberId, role));
}

export async function serviceAccount(h: Harness, orgId: string, teamId: string | null) {
  const sa = await run(h, (tx) => createServiceAccount(tx, orgId, { name: `bot-${Math.random().toString(36).slice(2, 6)}`, teamId }));
  const { key } = await run(h, (tx) => createServiceAccountKey(tx, orgId, sa.id, { label: 'ci' }));
  return { sa, key };
}
