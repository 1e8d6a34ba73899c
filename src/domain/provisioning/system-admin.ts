import type { Tx } from '../context.ts';

/** True while nobody exists at all: the deployment is empty. Call after lockInstance. */
export async function deploymentIsEmpty(tx: Tx): Promise<boolean> {
  const row = await tx.trx('users').count<{ n: number }>({ n: '*' }).first();
  return Number(row?.n ?? 0) === 0;
}
