import client from 'prom-client';

// Prometheus metrics (issue 16), in one registry for the process. Counters are bumped
// where things happen (HTTP in src/http/metrics.ts, refusals in domain/audit.ts, sign-ins
// in provisioning/sign-in.ts, deliveries in events/deliver.ts); what lives in the database
// (outbox depth and age) and the pool are read when /metrics is scraped, not per request.
// Label values are bounded: route patterns (never raw paths), client families, rule codes,
// provider names from configuration.

export const registry = new client.Registry();
registry.setDefaultLabels({ service: 'orgbridge' });

let processMetrics = false;
/**
 * Process and Node.js metrics, event-loop delay among them (nodejs_eventloop_lag_*): only
 * in a process that serves /metrics (the CLI imports the counters but measures nothing).
 */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}

export const httpDuration = new client.Histogram({
  name: 'orgbridge_http_request_duration_seconds',
  help: 'HTTP requests by route pattern, method and status, and their latency (its _count is the request count).',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const scimOperations = new client.Counter({
  name: 'orgbridge_scim_operations_total',
  help: 'SCIM requests by resource, method, status class and client family (from User-Agent).',
  labelNames: ['resource', 'method', 'status', 'client'] as const,
  registers: [registry],
});

export const refusals = new client.Counter({
  name: 'orgbridge_refusals_total',
  help: 'Changes refused by a directory rule (last_admin, seat_limit, forbidden, …), as audited.',
  labelNames: ['rule'] as const,
  registers: [registry],
});

export const signIns = new client.Counter({
  name: 'orgbridge_sign_ins_total',
  help: 'SSO sign-in decisions by provider and outcome (ok, refused, error).',
  labelNames: ['provider', 'outcome'] as const,
  registers: [registry],
});

export const webhookDeliveries = new client.Counter({
  name: 'orgbridge_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome (delivered, failed: will retry, dead: gave up, refused: address not allowed).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookLatency = new client.Histogram({
  name: 'orgbridge_webhook_delivery_duration_seconds',
  help: 'Time from sending a webhook to its response (or failure).',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Families read at scrape time from a source the server process registers (its database). */
export interface ScrapeSources {
  outbox(): Promise<{ depth: number; oldestAgeSeconds: number; pendingDeliveries: number }>;
  pool(): { used: number; free: number; pending: number };
}

let sources: ScrapeSources | undefined;
export function setScrapeSources(s: ScrapeSources | undefined): void {
  sources = s;
}

// The registry collects every family at once: both outbox gauges share one query per scrape.
let outboxRead: { at: number; value: ReturnType<ScrapeSources['outbox']> } | undefined;
function readOutbox(s: ScrapeSources): ReturnType<ScrapeSources['outbox']> {
  const now = Date.now();
  if (!outboxRead || now - outboxRead.at > 1000) outboxRead = { at: now, value: s.outbox() };
  return outboxRead.value;
}

new client.Gauge({
  name: 'orgbridge_outbox_depth',
  help: 'Events not yet fanned out to webhook deliveries, and deliveries still pending.',
  labelNames: ['stage'] as const,
  registers: [registry],
  async collect() {
    if (!sources) return;
    const o = await readOutbox(sources);
    this.set({ stage: 'events' }, o.depth);
    this.set({ stage: 'deliveries' }, o.pendingDeliveries);
  },
});
new client.Gauge({
  name: 'orgbridge_outbox_oldest_age_seconds',
  help: 'Age of the oldest event not yet fanned out or delivery still pending (0 when none).',
  registers: [registry],
  async collect() {
    if (!sources) return;
    this.set((await readOutbox(sources)).oldestAgeSeconds);
  },
});

new client.Gauge({
  name: 'orgbridge_db_pool_connections',
  help: 'Database pool connections by state (used, free, pending acquires).',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    if (!sources) return;
    const p = sources.pool();
    this.set({ state: 'used' }, p.used);
    this.set({ state: 'free' }, p.free);
    this.set({ state: 'pending' }, p.pending);
  },
});

/** The IdP family of a SCIM client, by its User-Agent (Entra sends "Azure AD SCIM …"/"Microsoft…", Okta "Okta …"). */
export function clientFamily(userAgent: string | undefined): 'entra' | 'okta' | 'other' {
  if (!userAgent) return 'other';
  if (/okta/i.test(userAgent)) return 'okta';
  if (/azure|microsoft|entra|aad/i.test(userAgent)) return 'entra';
  return 'other';
}
