import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** The proxies whose `X-Forwarded-For` is believed (TRUSTED_PROXIES), built once per list. */
const lists = new WeakMap<readonly string[], BlockList>();

/**
 * The address a request comes from. With TRUST_PROXY, `X-Forwarded-For` is
 * believed only when the peer of the connection is one of TRUSTED_PROXIES
 * (issue 12: a direct client could otherwise name any address and slip past
 * HOOK_ALLOWED_CIDRS and the auth limit). The header is read from the right,
 * skipping entries that are themselves trusted proxies; the first other entry
 * is the client. Entries further left are whatever the client wrote.
 * IPv4-mapped IPv6 addresses (`::ffff:10.8.0.2`) are given as IPv4.
 */
export function sourceAddress(req: IncomingMessage, trustProxy: boolean, trustedProxies: readonly string[] = LOOPBACK): string {
  const peer = plain(req.socket.remoteAddress ?? '');
  if (!trustProxy || !isTrusted(peer, trustedProxies)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => plain(s.trim())).filter((s) => s !== '');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) break;
    client = hop;
    if (!isTrusted(hop, trustedProxies)) break;
  }
  return client;
}

/** TRUSTED_PROXIES' default: a proxy on the same host. */
export const LOOPBACK: readonly string[] = Object.freeze(['127.0.0.0/8', '::1/128']);

function isTrusted(address: string, cidrs: readonly string[]): boolean {
  let list = lists.get(cidrs);
  if (list === undefined) {
    list = new BlockList();
    for (const cidr of cidrs) {
      const [base = '', prefix = ''] = cidr.split('/');
      list.addSubnet(base, Number(prefix), isIP(base) === 6 ? 'ipv6' : 'ipv4');
    }
    lists.set(cidrs, list);
  }
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Strips the IPv4-mapped prefix and brackets. */
export function plain(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped?.[1] ?? bare;
}
