import type { Config } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import type { Logger } from '../lib/logger.ts';
import type { TxtResolver } from '../lib/txt-resolver.ts';
import type { ResponseCheck } from '../api/openapi/check.ts';

/** Everything the HTTP layer is built from; tests pass their own. */
export interface AppDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** Injected clock for tests; defaults to Date.now. */
  now?: () => Date;
  /** Domain verification's DNS; defaults to one built from config.domains (DNS_SERVERS). */
  txtResolver?: TxtResolver;
  /** Tests: told every admin API answer, to hold it against the API description. */
  checkResponse?: ResponseCheck;
}
