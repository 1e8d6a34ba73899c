import { ConfigError, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { openDb, type Db } from '../db/connect.ts';
import { EmbeddedDbBusyError } from '../db/embedded-lock.ts';
import { migrate } from '../db/migrate.ts';
import { DomainError } from '../domain/errors.ts';
import { type CliCommand, type CliContext, UsageError } from './context.ts';
import { identityList, identityUnlink, systemAdminGrant, systemAdminRevoke } from './accounts.ts';
import { domainApprove, domainList } from './domain.ts';
import { orgCreate, orgList } from './org.ts';
import { scimTokenCreate, scimTokenList, scimTokenRevoke } from './scim-token.ts';
import { platformCredentialCreate, platformCredentialList, platformCredentialRevoke } from './platform-credential.ts';
import { teamCreate } from './team.ts';

const USAGE = `usage: orgbridge <command>

  migrate                                              bring the database schema up to date
  org create <name> [--domain <d>]... [--admin <email>] create an organization
  org list                                             list organizations
  team create --org <name> <team> [--default]          create a team (--default: domain-capture team)
  domain approve <domain> [--org <name>]               verify a pending domain claim (no public DNS needed)
  domain list [--org <name>]                           list claimed domains, their status and TXT records
  scim-token create --org <name> [--label <l>]         print a new SCIM bearer token (shown once)
  scim-token list --org <name>                         list SCIM tokens
  scim-token revoke <id>                               revoke a SCIM token
  platform-credential create [--org <name>] [--label <l>] print a new decision API credential (shown once)
  platform-credential list [--org <name>]              list platform credentials
  platform-credential revoke <id>                      revoke a platform credential
  admin-link --org <name> --email <admin email>        print a single-use break-glass sign-in link (15 min)
  system-admin grant <email>                           make the account of <email> system admin (created if none)
  system-admin revoke <email>                          take system admin away (never from the last one)
  identity list <email>                                list the sign-in identities of an account
  identity unlink <email> --provider <p> --subject <s> unlink one sign-in identity from an account

Configuration comes from config/default.json, CONFIG_FILE and the environment
(DATABASE_URL, DATA_DIR, …), exactly as for the server.`;

type Table = Record<string, CliCommand | Record<string, CliCommand>>;

async function loadAdminLink(): Promise<CliCommand> {
  const mod = (await import('./admin-link.ts')) as { adminLinkCommand: CliCommand };
  return mod.adminLinkCommand;
}

const COMMANDS: Table = {
  migrate: async (ctx) => {
    const ran = await migrate(ctx.db);
    return ran.length ? `applied ${ran.length} migration(s): ${ran.join(', ')}` : 'database schema is up to date';
  },
  org: { create: orgCreate, list: orgList },
  team: { create: teamCreate },
  domain: { approve: domainApprove, list: domainList },
  'scim-token': { create: scimTokenCreate, list: scimTokenList, revoke: scimTokenRevoke },
  'platform-credential': { create: platformCredentialCreate, list: platformCredentialList, revoke: platformCredentialRevoke },
  'admin-link': async (ctx, argv) => (await loadAdminLink())(ctx, argv),
  'system-admin': { grant: systemAdminGrant, revoke: systemAdminRevoke },
  identity: { list: identityList, unlink: identityUnlink },
};

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

function resolve(argv: string[]): { command: CliCommand; rest: string[] } | null {
  const [first, second, ...rest] = argv;
  const entry = first ? COMMANDS[first] : undefined;
  if (!entry) return null;
  if (typeof entry === 'function') return { command: entry, rest: argv.slice(1) };
  const sub = second ? entry[second] : undefined;
  return sub ? { command: sub, rest } : null;
}

/**
 * Runs one CLI command and returns the exit status: 0 done, 1 refused by the directory
 * (a rule, a conflict), 2 a usage or configuration mistake, 70 an internal failure.
 */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo, opts: { db?: Db; config?: Config } = {}): Promise<number> {
  if (!argv.length || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length ? io.stdout : io.stderr)(USAGE);
    return argv.length ? 0 : 2;
  }
  const found = resolve(argv);
  if (!found) {
    io.stderr(`orgbridge: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${USAGE}`);
    return 2;
  }
  let db: Db | undefined = opts.db;
  try {
    const config = opts.config ?? loadConfig(env);
    db ??= openDb({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, poolMax: 2 });
    // Every command may be the first thing run on a fresh clone: bring the schema up first.
    if (argv[0] !== 'migrate') await migrate(db);
    const ctx: CliContext = { db, config, actor: { type: 'cli', id: null, label: `cli:${env.USER ?? 'operator'}` } };
    io.stdout(await found.command(ctx, found.rest));
    return 0;
  } catch (err: unknown) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof EmbeddedDbBusyError) {
      io.stderr(`orgbridge: ${err.message}`);
      return 2;
    }
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      io.stderr(`orgbridge: ${(err as Error).message}`);
      return 2;
    }
    if (err instanceof DomainError) {
      io.stderr(`orgbridge: ${err.message}`);
      return 1;
    }
    const e = err as Error & { code?: string };
    if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '28P01' || e.code === '3D000') {
      io.stderr(`orgbridge: cannot reach the database (${e.code}): ${e.message}`);
      return 2;
    }
    io.stderr(`orgbridge: internal error: ${e.message}${env.ORGBRIDGE_DEBUG ? `\n${e.stack}` : ''}`);
    return 70;
  } finally {
    if (!opts.db) await db?.destroy().catch(() => undefined);
  }
}
