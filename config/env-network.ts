// RAILYARD_NETWORK_POOL / RAILYARD_NETWORK_SUBNET: where project networks take their subnets (issue 17 item 5).

/** Where project networks take their subnets from. */
export interface NetworkPool {
  /** An IPv4 CIDR railyard owns (`RAILYARD_NETWORK_POOL`). @default '10.213.0.0/16' */
  readonly cidr: string;
  /** Prefix length of each project's subnet (`RAILYARD_NETWORK_SUBNET`): a /26 holds 61 containers. @default 26 */
  readonly prefix: number;
}

export const DEFAULT_NETWORK_POOL = '10.213.0.0/16';
export const DEFAULT_NETWORK_SUBNET = 26;

/** Checks both settings; a problem is pushed and the default kept. */
export function networkPool(rawPool: string | undefined, rawPrefix: string | undefined, problems: string[]): NetworkPool {
  const cidr = rawPool?.trim() ?? DEFAULT_NETWORK_POOL;
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const bits = Number(match?.[5]);
  if (!match || octets.some((o) => o > 255) || bits < 8 || bits > 28) {
    problems.push(`RAILYARD_NETWORK_POOL=${JSON.stringify(rawPool)} must be an IPv4 CIDR from /8 to /28, e.g. ${DEFAULT_NETWORK_POOL}`);
    return { cidr: DEFAULT_NETWORK_POOL, prefix: DEFAULT_NETWORK_SUBNET };
  }
  const prefix = rawPrefix === undefined ? Math.max(DEFAULT_NETWORK_SUBNET, bits) : Number(rawPrefix.trim().replace(/^\//, ''));
  if (!Number.isInteger(prefix) || prefix < bits || prefix > 29) {
    problems.push(`RAILYARD_NETWORK_SUBNET=${JSON.stringify(rawPrefix)} must be a prefix length from the pool's (/${bits}) to /29, e.g. 26`);
    return { cidr, prefix: Math.max(DEFAULT_NETWORK_SUBNET, bits) };
  }
  return { cidr, prefix };
}
