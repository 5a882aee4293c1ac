import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The address a request comes from: the peer of the connection, or, with
 * TRUST_PROXY, the last `X-Forwarded-For` entry (the one the reverse proxy in
 * front of railyard appended; earlier entries are whatever the client sent).
 * IPv4-mapped IPv6 addresses (`::ffff:10.8.0.2`) are given as IPv4.
 */
export function sourceAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = plain(req.socket.remoteAddress ?? '');
  if (!trustProxy) return peer;
  const header = req.headers['x-forwarded-for'];
  const last = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').at(-1);
  const forwarded = last === undefined ? '' : plain(last);
  return isIP(forwarded) === 0 ? peer : forwarded;
}

/** Strips the IPv4-mapped prefix and brackets. */
export function plain(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped?.[1] ?? bare;
}
