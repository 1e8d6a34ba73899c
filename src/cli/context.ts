import type { Config } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import type { Actor } from '../domain/context.ts';

export interface CliContext {
  db: Db;
  config: Config;
  actor: Actor;
}

/** A mistake by the person at the keyboard: printed as one line, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type CliCommand = (ctx: CliContext, argv: string[]) => Promise<string>;
