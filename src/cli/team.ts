import { parseArgs } from 'node:util';
import { runInTransaction } from '../domain/context.ts';
import { setDefaultTeam } from '../domain/organizations.ts';
import { createTeam } from '../domain/teams.ts';
import { type CliContext, UsageError } from './context.ts';
import { requireOrg } from './org.ts';

/** orgbridge team create --org <name> <team> [--default] */
export async function teamCreate(ctx: CliContext, argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { org: { type: 'string' }, default: { type: 'boolean' } },
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length) throw new UsageError('usage: orgbridge team create --org <name> <team> [--default]');
  const org = await requireOrg(ctx, values.org);
  const team = await runInTransaction(ctx.db, ctx.actor, async (tx) => {
    const t = await createTeam(tx, org.id, { name });
    if (values.default) await setDefaultTeam(tx, org.id, t.id);
    return t;
  });
  return `created team ${team.name} (${team.id}) in ${org.name}${values.default ? ' — default team for domain capture' : ''}`;
}
