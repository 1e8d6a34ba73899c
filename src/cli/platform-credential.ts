import { parseArgs } from 'node:util';
import { runInTransaction } from '../domain/context.ts';
import { createPlatformCredential, listPlatformCredentials, revokePlatformCredential } from '../domain/platform-credentials.ts';
import { UUID } from '../lib/uuid.ts';
import { type CliContext, UsageError } from './context.ts';
import { requireOrg } from './org.ts';

// The platform's credential for the decision API (issue 15). With --org it speaks for
// that organization only; without, for the whole deployment (a platform serving all).

/** orgbridge platform-credential create [--org <name>] [--label <l>] — prints the secret alone. */
export async function platformCredentialCreate(ctx: CliContext, argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { org: { type: 'string' }, label: { type: 'string' } } });
  if (positionals.length) throw new UsageError('usage: orgbridge platform-credential create [--org <name>] [--label <label>]');
  const org = values.org === undefined ? null : await requireOrg(ctx, values.org);
  const { secret } = await runInTransaction(ctx.db, ctx.actor, (tx) => createPlatformCredential(tx, org?.id ?? null, values.label ?? ''));
  return secret;
}

/** orgbridge platform-credential list [--org <name>] */
export async function platformCredentialList(ctx: CliContext, argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { org: { type: 'string' } } });
  if (positionals.length) throw new UsageError('usage: orgbridge platform-credential list [--org <name>]');
  const org = values.org === undefined ? undefined : await requireOrg(ctx, values.org);
  const rows = await listPlatformCredentials(ctx.db, org?.id);
  if (!rows.length) return 'no platform credentials';
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : '-');
  return rows
    .map((c) => [c.id, c.label || '-', c.orgId ? `org ${c.orgId}` : 'deployment', `created ${iso(c.createdAt)}`, `last used ${iso(c.lastUsedAt)}`, c.revokedAt ? `revoked ${iso(c.revokedAt)}` : 'active'].join('\t'))
    .join('\n');
}

/** orgbridge platform-credential revoke <id> */
export async function platformCredentialRevoke(ctx: CliContext, argv: string[]): Promise<string> {
  const [id, ...extra] = argv;
  if (!id || extra.length) throw new UsageError('usage: orgbridge platform-credential revoke <id>');
  if (!UUID.test(id)) throw new UsageError(`"${id}" is not a credential id (see: orgbridge platform-credential list)`);
  const c = await runInTransaction(ctx.db, ctx.actor, (tx) => revokePlatformCredential(tx, id));
  return `revoked platform credential ${c.id}${c.label ? ` (${c.label})` : ''}`;
}
