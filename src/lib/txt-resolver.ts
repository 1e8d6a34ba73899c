import { Resolver } from 'node:dns/promises';

/**
 * What domain verification needs of DNS: the TXT records at a name, each as its chunks
 * (a record longer than 255 octets arrives split). node:dns/promises' Resolver is one;
 * tests hand in one pointed at a DNS server on loopback.
 */
export interface TxtResolver {
  resolveTxt(name: string): Promise<string[][]>;
}

export interface TxtResolverOptions {
  /** "203.0.113.53", "203.0.113.53:5353", "[2001:db8::53]:53"; empty → the system's resolvers. */
  servers: readonly string[];
  /** Per attempt; c-ares doubles it on the second try, so a dead server costs about 3×. */
  timeoutMs: number;
}

export function createTxtResolver(opts: TxtResolverOptions): TxtResolver {
  // Its own Resolver, so that the servers apply to verification only, never to the
  // process's other lookups (database, IdPs).
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 2 });
  if (opts.servers.length) resolver.setServers([...opts.servers]);
  return resolver;
}
