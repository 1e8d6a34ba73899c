import type { Config } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import type { Logger } from '../lib/logger.ts';

/** Everything the HTTP layer is built from; tests pass their own. */
export interface AppDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** Injected clock for tests; defaults to Date.now. */
  now?: () => Date;
}
