import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

// SSRF guard for webhook endpoints (issue 16). A tenant's admin chooses the URL, so it must
// not reach what the deployment's network can reach and the internet cannot: loopback,
// private (RFC 1918, RFC 4193), link-local (cloud metadata at 169.254.169.254), CGNAT,
// multicast and the other special-purpose ranges of the IANA registries (RFC 6890). The
// check runs on the addresses the connection will actually use: node's `lookup` hook
// resolves the name, refuses a forbidden answer and hands the checked address to connect,
// so a name cannot resolve to a public address when checked and a private one when used
// (DNS rebinding). IP literals bypass `lookup` in node, so they are checked beforehand.
// Redirects are never followed (node's http client does not).

const FORBIDDEN = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) FORBIDDEN.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  // ::/96: the unspecified address, loopback and the IPv4-compatible forms (::a.b.c.d, which
  // a URL writes ::xxxx:xxxx, so the dotted rule below never sees it in a literal).
  // 2002::/16 (6to4) embeds an IPv4 address a relay would reach; fec0::/10 is the deprecated site-local range.
  ['::', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) FORBIDDEN.addSubnet(net, bits, 'ipv6');

/** True for an address a webhook may not reach unless its host is allowed. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return FORBIDDEN.check(address, 'ipv4');
  if (family !== 6) return true;
  // IPv4-mapped (::ffff:10.0.0.1) and IPv4-compatible forms reach the IPv4 address.
  const mapped = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return FORBIDDEN.check(mapped[1]!, 'ipv4');
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:')) return true; // hex-written mapped address: refuse rather than parse
  return FORBIDDEN.check(address, 'ipv6');
}

export class AddressRefused extends Error {
  override name = 'AddressRefused';
}

/** A URL's hostname without IPv6 brackets, lower-case: how allow-lists name hosts. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that answers only addresses the guard allows. `allowPrivate`:
 * the operator allowed this host to resolve to private addresses.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true } as { all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const usable = allowPrivate ? addresses : addresses.filter((a) => !isForbiddenAddress(a.address));
      if (usable.length === 0) {
        // Not which addresses: the delivery log is the tenant's, and the deployment's resolver
        // must not answer its questions about the internal network.
        return callback(new AddressRefused(`${hostname} resolves only to private, loopback or reserved addresses`) as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}

/** Refuses an IP-literal host in a forbidden range (names are checked at connect time). */
export function checkLiteralHost(host: string, allowPrivate: boolean): void {
  if (!allowPrivate && isIP(host) && isForbiddenAddress(host)) {
    throw new AddressRefused(`${host} is a private, loopback or reserved address`);
  }
}
