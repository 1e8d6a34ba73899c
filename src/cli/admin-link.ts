import { parseArgs } from 'node:util';
import type { Config } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import { runInTransaction, type Actor } from '../domain/context.ts';
import { findOrganization } from '../domain/organizations.ts';
import { createBreakGlassLink } from '../domain/provisioning/break-glass.ts';
import { type CliContext, UsageError } from './context.ts';

export interface AdminLinkArgs {
  org: string;
  email: string;
}

export interface AdminLinkDeps {
  db: Db;
  config: Pick<Config, 'publicUrl'>;
  actor?: Actor;
  now?: () => Date;
}

/**
 * `orgbridge admin-link --org <name> --email <admin email>`: a single-use sign-in link,
 * valid 15 minutes, for an active admin of the organization, for when the IdP is down.
 * Returns the text to print.
 */
export async function adminLink(args: AdminLinkArgs, deps: AdminLinkDeps): Promise<string> {
  const org = await findOrganization(deps.db, args.org);
  if (!org) throw new UsageError(`no organization named "${args.org}"`);
  const now = deps.now?.() ?? new Date();
  const actor = deps.actor ?? { type: 'cli', id: null, label: 'cli:admin-link' };
  const link = await runInTransaction(deps.db, actor, (tx) => createBreakGlassLink(tx, { orgId: org.id, email: args.email, now }));
  const url = new URL(`/auth/link/${encodeURIComponent(link.token)}`, deps.config.publicUrl).href;
  return [
    `Single-use sign-in link for ${args.email} (${org.name}), valid until ${link.expiresAt.toISOString()}:`,
    url,
    'It works once. Anyone holding it can sign in as this admin: send it only to them.',
  ].join('\n');
}

/** The CLI dispatcher's entry: parses argv, then adminLink. */
export async function adminLinkCommand(ctx: CliContext, argv: string[]): Promise<string> {
  const usage = 'usage: orgbridge admin-link --org <name> --email <admin email>';
  let values: { org?: string | undefined; email?: string | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { org: { type: 'string' }, email: { type: 'string' } } }));
  } catch (err: unknown) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
  if (!values.org || !values.email) throw new UsageError(usage);
  return adminLink({ org: values.org, email: values.email }, { db: ctx.db, config: ctx.config, actor: ctx.actor });
}
