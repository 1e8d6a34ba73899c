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
// (SKIP LOCKED). Once an hour (and when it starts) it prunes events past
// WEBHOOK_RETENTION_DAYS (prune.ts), a batch per turn.

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
  let pruneDueAt = 0; // performance.now() from which the next prune pass may run: at once
  let passPruned = 0;
  const inFlight = new Set<Promise<void>>();
  let sendEnded = false; // a send ended since the loop last looked: claim before sleeping
  /** One batch of the prune pass when one is due; the pass ends with a short batch (next: in an hour). */
  const pruneStep = async (): Promise<number> => {
    if (performance.now() < pruneDueAt) return 0;
    let k: number;
    try {
      k = await pruneEvents(db, cfg.retentionDays, PRUNE_BATCH);
    } catch (err: unknown) {
      pruneDueAt = performance.now() + PRUNE_EVERY_MS; // a failed pass is tried again next hour
      throw err;
    }
    passPruned += k;
    if (k < PRUNE_BATCH) {
      pruneDueAt = performance.now() + PRUNE_EVERY_MS;
      if (passPruned) logger.info({ pruned: passPruned, retentionDays: cfg.retentionDays }, 'webhook worker: pruned old events');
      passPruned = 0;
    }
    return k;
  };
  // Tests step the worker: one fan-out, one batch sent and waited for, the prune if due.
  const round = async () => {
    const fannedOut = await fanOut(db, 500);
    const sent = await deliverBatch(db, cfg);
    const pruned = await pruneStep();
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
          // A slot is free: wake the loop if it sleeps; if it is busy claiming, it claims again before sleeping.
          sendEnded = true;
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
      sendEnded = false;
      try {
        let fannedOut = 0;
        if (lastFanned > 0 || performance.now() - fannedAt >= cfg.pollIntervalMs) {
          fannedOut = lastFanned = await fanOut(db, 500);
          fannedAt = performance.now();
        }
        const started = await fill();
        // One prune batch per turn, so a long first pass does not hold up deliveries.
        const pruned = await pruneStep();
        busy = fannedOut > 0 || started > 0 || pruned === PRUNE_BATCH;
      } catch (err: unknown) {
        logger.error({ err }, 'webhook worker round failed');
      }
      if (!busy && !stopped && !sendEnded) {
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
