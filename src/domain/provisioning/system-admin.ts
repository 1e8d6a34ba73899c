import type { Tx } from '../context.ts';

/**
 * True while the deployment is empty: no organization and no account (SPEC §1). Only
 * then does the first sign-in become system admin. Call after lockInstance.
 */
export async function deploymentIsEmpty(tx: Tx): Promise<boolean> {
  const row = (await tx.trx.raw('select (exists (select 1 from organizations) or exists (select 1 from accounts)) as used')) as { rows: { used: boolean }[] };
  return !row.rows[0]!.used;
}
