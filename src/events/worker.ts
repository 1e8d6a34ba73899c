import type { WebhooksConfig } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import type { Logger } from '../lib/logger.ts';
import { deliverBatch } from './deliver.ts';
import { fanOut } from './fan-out.ts';
import { pruneEvents } from './prune.ts';

// The webhook worker, in the server process (WEBHOOK_WORKER). Each round fans new events
// out to deliveries and sends one batch of due deliveries; it goes straight on while there
// is work and sleeps pollIntervalMs when there is none. Every instance may run it: fan-out
// takes turns (advisory lock), claims skip each other's rows (SKIP LOCKED). Once an hour
// (and on its first round) it prunes events past WEBHOOK_RETENTION_DAYS (prune.ts).

const PRUNE_EVERY_MS = 3600_000;
const PRUNE_BATCH = 1000;

export interface Worker {
  stop(): Promise<void>;
  /** One round, for tests: how many events were fanned out and deliveries sent. */
  round(): Promise<{ fannedOut: number; sent: number; pruned: number }>;
}

export function startWebhookWorker(db: Db, cfg: WebhooksConfig, logger: Logger, opts: { loop?: boolean } = {}): Worker {
  let stopped = false;
  let wake: (() => void) | undefined;
  let prunedAt = -Infinity; // performance.now() of the last prune pass
  const round = async () => {
    const fannedOut = await fanOut(db, 500);
    const sent = await deliverBatch(db, cfg);
    let pruned = 0;
    if (performance.now() - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = performance.now();
      // Batches until one comes back short (a failed pass is tried again next hour).
      for (;;) {
        const k = await pruneEvents(db, cfg.retentionDays, PRUNE_BATCH);
        pruned += k;
        if (k < PRUNE_BATCH || stopped) break;
      }
      if (pruned) logger.info({ pruned, retentionDays: cfg.retentionDays }, 'webhook worker: pruned old events');
    }
    return { fannedOut, sent, pruned };
  };
  const loop = (async () => {
    if (opts.loop === false) return;
    while (!stopped) {
      let busy = false;
      try {
        const r = await round();
        busy = r.fannedOut > 0 || r.sent > 0;
      } catch (err: unknown) {
        logger.error({ err }, 'webhook worker round failed');
      }
      if (!busy && !stopped) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, cfg.pollIntervalMs);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  })();
  return {
    round,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
