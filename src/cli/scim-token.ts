import { parseArgs } from 'node:util';
import { runInTransaction } from '../domain/context.ts';
import { createScimToken, listScimTokens, revokeScimToken } from '../domain/scim-tokens.ts';
import { UUID } from '../lib/uuid.ts';
import { type CliContext, UsageError } from './context.ts';
import { requireOrg } from './org.ts';

/** orgbridge scim-token create --org <name> [--label <l>] — prints the token alone. */
export async function scimTokenCreate(ctx: CliContext, argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { org: { type: 'string' }, label: { type: 'string' } } });
  if (positionals.length) throw new UsageError('usage: orgbridge scim-token create --org <name> [--label <label>]');
  const org = await requireOrg(ctx, values.org);
  const { token } = await runInTransaction(ctx.db, ctx.actor, (tx) => createScimToken(tx, org.id, values.label ?? ''));
  return token;
}

/** orgbridge scim-token list --org <name> */
export async function scimTokenList(ctx: CliContext, argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { org: { type: 'string' } } });
  if (positionals.length) throw new UsageError('usage: orgbridge scim-token list --org <name>');
  const org = await requireOrg(ctx, values.org);
  const tokens = await listScimTokens(ctx.db, org.id);
  if (!tokens.length) return 'no SCIM tokens';
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : '-');
  return tokens
    .map((t) => [t.id, t.label || '-', `created ${iso(t.createdAt)}`, `last used ${iso(t.lastUsedAt)}`, t.revokedAt ? `revoked ${iso(t.revokedAt)}` : 'active'].join('\t'))
    .join('\n');
}

/** orgbridge scim-token revoke <id> */
export async function scimTokenRevoke(ctx: CliContext, argv: string[]): Promise<string> {
  const [id, ...extra] = argv;
  if (!id || extra.length) throw new UsageError('usage: orgbridge scim-token revoke <id>');
  if (!UUID.test(id)) throw new UsageError(`"${id}" is not a token id (see: orgbridge scim-token list --org <name>)`);
  const t = await runInTransaction(ctx.db, ctx.actor, (tx) => revokeScimToken(tx, id));
  return `revoked SCIM token ${t.id}${t.label ? ` (${t.label})` : ''}`;
}
