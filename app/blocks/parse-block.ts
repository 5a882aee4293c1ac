import { RailyardError } from '../../core/errors.ts';
import type { BlockKey } from '../../pipeline/block-store.ts';
import { overlaps, parseTarget, type Target } from '../../steps/threat-report/ip.ts';

/** A block request, parsed; what it may not cover is checked by refusals.ts. */
export interface BlockRequest {
  readonly key: BlockKey;
  readonly target: Target;
  readonly reason: string | undefined;
  /** undefined: until lifted. */
  readonly ttlSeconds: number | undefined;
}

export interface BlockLimits {
  readonly minPrefixV4: number;
  readonly minPrefixV6: number;
}

const MAX_TTL_SECONDS = 10 * 365 * 86_400;
const TTL_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const MAPPED = parseTarget('::ffff:0:0/96')!;

/** `refused('...')`: the 400 every bad block request gets, with its reason. */
export function refused(message: string, data?: unknown): RailyardError {
  return new RailyardError('BLOCK_REFUSED', message, data === undefined ? {} : { data });
}

/**
 * Parses the address or CIDR of `/api/blocks/ipv4|ipv6/:ip` against the
 * family of the path. Refused (400): anything but an address or CIDR of that
 * family, an IPv6 zone id (`fe80::1%eth0`: not on the wire), an IPv4-mapped
 * IPv6 address (block the IPv4 address instead), and networks wider than the
 * limit (`0.0.0.0/0` included).
 */
export function parseBlockTarget(family: 4 | 6, text: string, limits: BlockLimits): Target {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  if (text.includes('%')) throw refused(`${shown} holds an IPv6 zone id: zone ids name a local interface and never appear on the wire`);
  const target = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(text) ? parseTarget(text) : undefined;
  if (target === undefined) throw refused(`${shown} is not an IPv${family} address or CIDR`);
  if (target.version !== family) throw refused(`${shown} is an IPv${target.version} address: use /api/blocks/ipv${target.version}/`);
  const min = family === 4 ? limits.minPrefixV4 : limits.minPrefixV6;
  if (target.prefix === 0) throw refused(`${shown} would block every address`);
  if (target.prefix < min) throw refused(`${shown} is wider than /${min} (BLOCK_MIN_PREFIX_V${family})`);
  if (family === 6 && overlaps(MAPPED, target)) {
    throw refused(`${shown} is an IPv4-mapped IPv6 address: block the IPv4 address on /api/blocks/ipv4/`);
  }
  return target;
}

/** The query of a block: `reason`, `ttl` (seconds, or `N` + s/m/h/d/w; -1 or none: until lifted), `port`, `proto`. */
export function parseBlockRequest(family: 4 | 6, text: string, query: URLSearchParams, limits: BlockLimits): BlockRequest {
  const target = parseBlockTarget(family, text, limits);
  const { proto, port } = portOf(query);
  return {
    key: { target: target.key, family, proto, port },
    target,
    reason: reasonOf(query.get('reason') ?? undefined),
    ttlSeconds: ttlOf(query.get('ttl') ?? undefined),
  };
}

/** `port` and `proto` of a block; `proto` defaults to tcp (fail2ban's default protocol) when a port is given. */
export function portOf(query: URLSearchParams): { proto: BlockKey['proto']; port: number } {
  const rawPort = query.get('port') ?? '';
  const rawProto = (query.get('proto') ?? '').toLowerCase();
  if (rawPort === '') {
    if (rawProto !== '') throw refused('proto needs a port: without one every port and protocol is blocked');
    return { proto: '', port: 0 };
  }
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(port >= 1 && port <= 65_535)) throw refused(`port ${JSON.stringify(rawPort.slice(0, 20))} must be a number from 1 to 65535`);
  if (rawProto !== '' && rawProto !== 'tcp' && rawProto !== 'udp') throw refused(`proto ${JSON.stringify(rawProto.slice(0, 20))} must be tcp or udp`);
  return { proto: rawProto === 'udp' ? 'udp' : 'tcp', port };
}

function ttlOf(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '' || raw === '-1') return undefined;
  const match = /^(\d{1,10})\s*([smhdw]?)$/i.exec(raw.trim());
  const seconds = match === null ? NaN : Number(match[1]) * TTL_UNITS[match[2]!.toLowerCase()]!;
  if (!(seconds >= 1 && seconds <= MAX_TTL_SECONDS)) {
    throw refused(`ttl ${JSON.stringify(raw.slice(0, 20))} must be seconds (or N s/m/h/d/w) from 1 s to 10 years; -1 or none: until lifted`);
  }
  return seconds;
}

function reasonOf(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (raw.length > 200) throw refused('reason must be at most 200 characters');
  // Control characters would forge lines in logs and reports.
  if (/[\p{Cc}]/u.test(raw)) throw refused('reason must not hold control characters');
  return raw.trim();
}
