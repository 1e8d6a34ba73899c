import type { WebhooksConfig } from '../config/schema.ts';
import { invalid } from '../domain/errors.ts';
import { checkLiteralHost, hostOf } from './address-guard.ts';

// What an endpoint URL may be (issue 16): https, or http only for a host the operator
// allows (WEBHOOK_ALLOW_HTTP_HOSTS); no credentials in the URL (they would be logged and
// shown); an IP literal in a private or loopback range only for a host the operator allows
// (WEBHOOK_ALLOW_PRIVATE_HOSTS). Names are checked again, on their resolved addresses, at
// every delivery (address-guard.ts).

export type UrlPolicy = Pick<WebhooksConfig, 'allowHttpHosts' | 'allowPrivateHosts'>;

export function checkEndpointUrl(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('the endpoint URL is not a URL', { field: 'url' });
  }
  const host = hostOf(url);
  if (url.protocol === 'http:') {
    if (!policy.allowHttpHosts.includes(host)) throw invalid(`the endpoint URL must use https (http is allowed only for hosts this deployment lists in WEBHOOK_ALLOW_HTTP_HOSTS)`, { field: 'url' });
  } else if (url.protocol !== 'https:') {
    throw invalid('the endpoint URL must use https', { field: 'url' });
  }
  if (url.username || url.password) throw invalid('the endpoint URL must not carry credentials', { field: 'url' });
  if (url.hash) throw invalid('the endpoint URL must not have a fragment', { field: 'url' });
  try {
    checkLiteralHost(host, policy.allowPrivateHosts.includes(host));
  } catch (err: unknown) {
    throw invalid(`the endpoint URL is refused: ${(err as Error).message}`, { field: 'url' });
  }
  return url;
}
