import { describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/domain/context.ts';
import { findOrganization, renameOrganization } from '../../src/domain/organizations.ts';
import { authenticateScimToken } from '../../src/domain/scim-tokens.ts';
import { useCli } from '../support/cli.ts';
import { testActor } from '../support/factories.ts';

// Security review (CLI): the operator names an organization by id, slug or name. Names and
// slugs are unique each on their own, but an organization's admin may rename it to another
// organization's slug (or id). `--org <ref>` must then still mean the organization whose
// slug (or id) it is, never the one that took it as a name: otherwise the operator, asked
// by Acme to approve acme.example or to make Acme a SCIM token, does it for the squatter
// (which then manages Acme's people, or receives Acme's whole directory from its IdP).

const run = useCli('operator');
const cli = run.cli;

describe('--org <ref> when one organization is named after another one\'s slug or id', () => {
  it('means the organization whose id or slug it is, for every command that takes it', async () => {
    expect((await cli('org', 'create', 'Acme Corp', '--domain', 'acme.example')).code).toBe(0);
    expect((await cli('org', 'create', 'Squatter', '--domain', 'acme.example')).code).toBe(0);
    const acme = await run.t.db('organizations').where({ name: 'Acme Corp' }).first();
    const squatter = await run.t.db('organizations').where({ name: 'Squatter' }).first();
    expect(acme.slug).toBe('acme-corp');

    // The squatter's admin renames it (PATCH /api/v1/orgs/:org) to Acme's slug; Acme changes
    // something of its own afterwards (any update moves its row).
    await runInTransaction(run.t.db, testActor, (tx) => renameOrganization(tx, squatter.id, 'acme-corp'));
    await run.t.db('organizations').where({ id: acme.id }).update({ updated_at: run.t.db.fn.now() });

    expect((await findOrganization(run.t.db, 'acme-corp'))?.id).toBe(acme.id);
    expect((await findOrganization(run.t.db, 'ACME-CORP'))?.id).toBe(acme.id);
    // Its name still finds the squatter, when nothing else is named so.
    expect((await findOrganization(run.t.db, 'Squatter'))?.id).toBe(squatter.id);

    const approved = await cli('domain', 'approve', 'acme.example', '--org', 'acme-corp');
    expect(approved.code, approved.stderr).toBe(0);
    expect(await run.t.db('org_domains').where({ domain: 'acme.example', status: 'verified' }).pluck('org_id')).toEqual([acme.id]);

    const token = await cli('scim-token', 'create', '--org', 'acme-corp');
    expect(token.code).toBe(0);
    expect((await authenticateScimToken(run.t.db, token.stdout))?.orgId).toBe(acme.id);

    // Named after Acme's id: the id wins too.
    await runInTransaction(run.t.db, testActor, (tx) => renameOrganization(tx, squatter.id, acme.id));
    await run.t.db('organizations').where({ id: acme.id }).update({ updated_at: run.t.db.fn.now() });
    expect((await findOrganization(run.t.db, acme.id))?.id).toBe(acme.id);
    const viaId = await cli('scim-token', 'create', '--org', acme.id);
    expect((await authenticateScimToken(run.t.db, viaId.stdout))?.orgId).toBe(acme.id);
  });
});
