import type { WebhooksConfig } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import type { Logger } from '../lib/logger.ts';
import { claimDeliveries, deliverBatch, deliverOne } from './deliver.ts';
import { fanOut } from './fan-out.ts';
import { pruneEvents } from './prune.ts';

// The webhook worker, in the server process (WEBHOOK_WORKER). It fans new events out to
// deliveries and keeps up to WEBHOOK_BATCH_SIZE sends in flight, claiming again as each one
// ends rather than waiting for a whole batch (a slow receiver holds only its own slots, and
// its organization holds at most WEBHOOK_MAX_IN_FLIGHT_PER_ORG: deliver.ts); it goes
// straight on while there is work and sleeps pollIntervalMs when there is none. Every
// instance may run it: fan-out takes turns (advisory lock), claims skip each other's rows
// (SKIP LOCKED). Once an hour
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
  const inFlight = new Set<Promise<void>>();
  const pruneIfDue = async (): Promise<number> => {
    if (performance.now() - prunedAt < PRUNE_EVERY_MS) return 0;
    prunedAt = performance.now();
    let pruned = 0;
    // Batches until one comes back short (a failed pass is tried again next hour).
    for (;;) {
      const k = await pruneEvents(db, cfg.retentionDays, PRUNE_BATCH);
      pruned += k;
      if (k < PRUNE_BATCH || stopped) break;
    }
    if (pruned) logger.info({ pruned, retentionDays: cfg.retentionDays }, 'webhook worker: pruned old events');
    return pruned;
  };
  // Tests step the worker: one fan-out, one batch sent and waited for, the prune if due.
  const round = async () => {
    const fannedOut = await fanOut(db, 500);
    const sent = await deliverBatch(db, cfg);
    const pruned = await pruneIfDue();
    return { fannedOut, sent, pruned };
  };
  /** Claims what the free slots allow and starts those sends; returns how many started. */
  const fill = async (): Promise<number> => {
    const claimed = await claimDeliveries(db, cfg, cfg.batchSize - inFlight.size);
    for (const d of claimed) {
      const sending: Promise<void> = deliverOne(db, d, cfg)
        .catch((err: unknown) => logger.error({ err, delivery: d.id }, 'webhook delivery failed'))
        .finally(() => {
          inFlight.delete(sending);
          // A slot is free: wake the loop if it sleeps (sends ending while it claims share its next claim).
          wake?.();
        });
      inFlight.add(sending);
    }
    return claimed.length;
  };
  const loop = (async () => {
    if (opts.loop === false) return;
    // Fan-out is a transaction of its own: after one that found nothing, the next waits for
    // the poll interval (a loop woken by a finished send only claims).
    let fannedAt = -Infinity;
    let lastFanned = 0;
    while (!stopped) {
      let busy = false;
      try {
        let fannedOut = 0;
        if (lastFanned > 0 || performance.now() - fannedAt >= cfg.pollIntervalMs) {
          fannedOut = lastFanned = await fanOut(db, 500);
          fannedAt = performance.now();
        }
        const started = await fill();
        await pruneIfDue();
        busy = fannedOut > 0 || started > 0;
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
    // Stopping: the sends already out finish and are recorded (a killed process leaves them to their leases).
    await Promise.all(inFlight);
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
