import { BlockList, isIP } from 'node:net';
import { plain } from './source.ts';

/** Which sources may call the endpoint (HOOK_ALLOWED_CIDRS). */
export interface Allowlist {
  /** False when no CIDR is configured: every source is allowed. */
  readonly restricted: boolean;
  allows(address: string): boolean;
}

/**
 * Builds the allowlist from CIDRs config/env.ts already checked
 * (`10.8.0.0/24`, `127.0.0.1/32`, `::1/128`). An address that is not an IP
 * (a Unix socket peer has none) is refused when the list is restricted.
 */
export function createAllowlist(cidrs: readonly string[]): Allowlist {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  // The answer per address is kept (a few sources call again and again); bounded, so a scan cannot grow it.
  const known = new Map<string, boolean>();
  const check = (address: string): boolean => {
    const ip = plain(address);
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };
  return {
    restricted: cidrs.length > 0,
    allows(address) {
      if (cidrs.length === 0) return true;
      let allowed = known.get(address);
      if (allowed === undefined) {
        if (known.size >= 1024) known.clear();
        allowed = check(address);
        known.set(address, allowed);
      }
      return allowed;
    },
  };
}
