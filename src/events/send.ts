import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { AddressRefused, guardedLookup, hostOf } from './address-guard.ts';
import { checkEndpointUrl, type UrlPolicy } from './endpoint-url.ts';

// One HTTP POST of a webhook. Redirects are not followed (a 3xx is a failed attempt: the
// receiver must give its final URL); the response body is read up to 4 KiB and dropped.
// The URL policy is checked again here, since the operator's allow-lists may have changed
// since the endpoint was registered.

// Kept-alive connections: a receiver gets a stream of deliveries. A socket is made by the
// agent with the request's `lookup`, so every new connection goes through the address
// guard; a reused one was checked when it was made, for the same host (the allow-lists
// name hosts, so the decision for a host:port is the same on every request).
const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 50 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 50 }) };

export interface SendResult {
  /** null when no response came (refused address, connection error, timeout). */
  status: number | null;
  latencyMs: number;
  error: string | null;
  /** The address guard refused: retrying will not help until the endpoint or policy changes. */
  refused: boolean;
}

export function send(rawUrl: string, headers: Record<string, string>, body: string, policy: UrlPolicy, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  const done = (status: number | null, error: string | null, refused = false): SendResult => ({ status, error, refused, latencyMs: Math.round(performance.now() - started) });
  let url: URL;
  let allowPrivate: boolean;
  try {
    url = checkEndpointUrl(rawUrl, policy); // scheme, credentials, and an IP literal's address
    allowPrivate = policy.allowPrivateHosts.includes(hostOf(url));
  } catch (err: unknown) {
    return Promise.resolve(done(null, (err as Error).message, true));
  }
  return new Promise((resolve) => {
    const https = url.protocol === 'https:';
    const request = https ? httpsRequest : httpRequest;
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'orgbridge-webhooks/1', ...headers },
      lookup: guardedLookup(allowPrivate) as never,
      timeout: timeoutMs,
      agent: https ? agents.https : agents.http,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('response', (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > 4096) res.destroy();
      });
      const finish = () => {
        clearTimeout(timer);
        resolve(done(res.statusCode ?? null, null));
      };
      res.on('end', finish);
      res.on('close', finish);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve(done(null, err.message, err instanceof AddressRefused));
    });
    req.end(body);
  });
}
