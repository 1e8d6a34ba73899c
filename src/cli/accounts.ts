import { parseArgs } from 'node:util';
import { findAccountByEmail } from '../domain/accounts.ts';
import { runInTransaction } from '../domain/context.ts';
import { listIdentities, unlinkExternalIdentity } from '../domain/external-identities.ts';
import { grantSystemAdminByEmail, revokeSystemAdminByEmail } from '../domain/system-admins.ts';
import { type CliContext, UsageError } from './context.ts';

// The operator's account commands: system admins (SPEC §1: "the person an operator names
// with the CLI") and the repair of a refused sign-in (an identity unlinked, so that the
// next sign-in links again by the usual rules).

function oneEmail(argv: string[], usage: string): string {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError(usage);
  return positionals[0]!;
}

/** orgbridge system-admin grant <email> */
export async function systemAdminGrant(ctx: CliContext, argv: string[]): Promise<string> {
  const email = oneEmail(argv, 'usage: orgbridge system-admin grant <email>');
  const account = await runInTransaction(ctx.db, ctx.actor, (tx) => grantSystemAdminByEmail(tx, email));
  return `${account.email} is a system admin (account ${account.id})`;
}

/** orgbridge system-admin revoke <email> */
export async function systemAdminRevoke(ctx: CliContext, argv: string[]): Promise<string> {
  const email = oneEmail(argv, 'usage: orgbridge system-admin revoke <email>');
  await runInTransaction(ctx.db, ctx.actor, (tx) => revokeSystemAdminByEmail(tx, email));
  return `${email} is no longer a system admin`;
}

/** orgbridge identity list <email> */
export async function identityList(ctx: CliContext, argv: string[]): Promise<string> {
  const email = oneEmail(argv, 'usage: orgbridge identity list <email>');
  const account = await findAccountByEmail(ctx.db, email);
  if (!account) throw new UsageError(`no account holds ${email}`);
  const rows = await listIdentities(ctx.db, account.id);
  if (!rows.length) return `account ${account.id} has no sign-in identity`;
  return rows.map((r) => [r.provider, r.external_id, r.last_seen_at ? new Date(r.last_seen_at).toISOString() : '-'].join('\t')).join('\n');
}

/** orgbridge identity unlink <email> --provider <provider> --subject <external id> */
export async function identityUnlink(ctx: CliContext, argv: string[]): Promise<string> {
  const usage = 'usage: orgbridge identity unlink <email> --provider <provider> --subject <external id>';
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { provider: { type: 'string' }, subject: { type: 'string' } } });
  } catch (err: unknown) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !values.provider || !values.subject) throw new UsageError(usage);
  const account = await findAccountByEmail(ctx.db, positionals[0]!);
  if (!account) throw new UsageError(`no account holds ${positionals[0]}`);
  await runInTransaction(ctx.db, ctx.actor, (tx) => unlinkExternalIdentity(tx, account.id, values.provider!, values.subject!));
  return `unlinked ${values.provider} ${values.subject} from ${account.email}`;
}
