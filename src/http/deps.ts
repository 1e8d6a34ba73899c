import type { Config } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import type { Logger } from '../lib/logger.ts';
import type { TxtResolver } from '../lib/txt-resolver.ts';

/** Everything the HTTP layer is built from; tests pass their own. */
export interface AppDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** Injected clock for tests; defaults to Date.now. */
  now?: () => Date;
  /** Domain verification's DNS; defaults to one built from config.domains (DNS_SERVERS). */
  txtResolver?: TxtResolver;
}
