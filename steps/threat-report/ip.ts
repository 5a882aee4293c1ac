import { isIPv4, isIPv6 } from 'node:net';

/** One address or network of a blacklist or whitelist, IPv4 or IPv6. */
export interface Target {
  /** Canonical text, the report's key: `192.0.2.1`, `2001:db8::1`, `198.51.100.0/24`. */
  readonly key: string;
  readonly version: 4 | 6;
  /** The (network) address as a number. */
  readonly start: bigint;
  /** 32 or 128 for a single address. */
  readonly prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses `IP` or `IP/prefix` (host bits are cleared); undefined when it is neither. */
export function parseTarget(text: string): Target | undefined {
  const [address = '', length, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const version = isIPv4(address) ? 4 : isIPv6(address) && !address.includes('%') ? 6 : undefined;
  if (version === undefined) return undefined;
  const bits = BITS[version];
  const prefix = length === undefined ? bits : /^\d{1,3}$/.test(length) ? Number(length) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return undefined;
  const value = version === 4 ? parseV4(address) : parseV6(address);
  const start = (value >> BigInt(bits - prefix)) << BigInt(bits - prefix);
  return makeTarget(version, start, prefix);
}

export function isSingle(target: Target): boolean {
  return target.prefix === BITS[target.version];
}

/** True when `inner` (address or network) lies entirely inside `outer`. */
export function contains(outer: Target, inner: Target): boolean {
  if (outer.version !== inner.version || outer.prefix > inner.prefix) return false;
  const shift = BigInt(BITS[outer.version] - outer.prefix);
  return outer.start >> shift === inner.start >> shift;
}

export function overlaps(a: Target, b: Target): boolean {
  return contains(a, b) || contains(b, a);
}

/** Report order: IPv4 before IPv6, then by address, then wider networks first. */
export function compareTargets(a: Target, b: Target): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.prefix - b.prefix;
}

/**
 * The subnet a target is grouped by in the report: the /16 for IPv4 (itsUP's),
 * the /48 (one site) for IPv6. Undefined for a network wider than that.
 */
export function groupOf(target: Target): string | undefined {
  const prefix = target.version === 4 ? 16 : 48;
  if (target.prefix < prefix) return undefined;
  const shift = BigInt(BITS[target.version] - prefix);
  return makeTarget(target.version, (target.start >> shift) << shift, prefix).key;
}

// IANA special-purpose ranges: not on the internet, so registries and AbuseIPDB know nothing of them.
const RESERVED = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3',
  '::/127', '::ffff:0:0/96', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8',
].map((cidr) => parseTarget(cidr)!);

/** Private, loopback, link-local, documentation, multicast and other non-internet ranges. */
export function isReserved(target: Target): boolean {
  return RESERVED.some((range) => overlaps(range, target));
}

/** The address `value` as text (RFC 5952 for IPv6). */
export function formatTarget(version: 4 | 6, value: bigint): string {
  return version === 4 ? formatV4(value) : formatV6(value);
}

function makeTarget(version: 4 | 6, start: bigint, prefix: number): Target {
  const address = formatTarget(version, start);
  return { key: prefix === BITS[version] ? address : `${address}/${prefix}`, version, start, prefix };
}

function parseV4(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** Expects text that node:net accepts as IPv6 (possibly with a dotted IPv4 tail). */
function parseV6(address: string): bigint {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const v4 = parseV4(dotted);
    text = `${text.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952: lower case, no leading zeros, the longest run of zero groups as `::`. */
function formatV6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatV4(value & 0xffffffffn)}`;
  }
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let length = 0;
    while (i + length < 8 && groups[i + length] === 0) length++;
    if (length > best.length) best = { at: i, length };
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}
