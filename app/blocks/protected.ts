import { networkInterfaces } from 'node:os';
import type { Env } from '../../config/env.ts';
import type { Logger } from '../../core/logger.ts';
import type { DockerClient } from '../../runtime/docker.ts';
import { networkSubnets } from '../../runtime/network.ts';
import { overlaps, parseTarget, type Target } from '../../steps/threat-report/ip.ts';
import { loadWhitelist } from '../../steps/threat-report/whitelist.ts';
import { refused } from './parse-block.ts';

/** A range no block may touch, and why (the 400 says it). */
export interface ProtectedRange {
  readonly range: Target;
  readonly why: string;
}

/** Interfaces whose whole subnet is protected: Docker's bridges (proxynet among them) and VPN tunnels. */
const SUBNET_INTERFACES = /^(docker\d*|br-|tun|tap|wg)/;
/** proxynet's subnet is asked of Docker at most this often. */
const PROXYNET_TTL_MS = 60_000;

const FIXED: readonly ProtectedRange[] = [
  { range: parseTarget('127.0.0.0/8')!, why: 'loopback' },
  { range: parseTarget('::1')!, why: 'loopback' },
  { range: parseTarget('0.0.0.0/32')!, why: 'the unspecified address' },
  { range: parseTarget('::')!, why: 'the unspecified address' },
];

/** Throws the 400 when `target` shares any address with a protected range. */
export function checkProtected(target: Target, ranges: readonly ProtectedRange[]): void {
  const hit = ranges.find((p) => overlaps(p.range, target));
  if (hit !== undefined) throw refused(`${target.key} covers ${hit.range.key}: ${hit.why}; it is never blocked`, { protected: hit.range.key });
}

/**
 * What no block may cover, read at each request (the whitelist file may
 * change): loopback, this host's addresses, the subnets of its Docker
 * bridges and VPN interfaces, proxynet's subnet (from Docker, cached),
 * HOOK_ALLOWED_CIDRS, TRUSTED_IPS_CIDRS, BLOCK_PROTECTED_CIDRS and THREAT_WHITELIST.
 */
/** `engine` gives the client when first needed (dockerode loads on first use, not at start). */
export function protectedRanges(engine: (() => DockerClient) | undefined, log: Logger): (env: Env) => Promise<ProtectedRange[]> {
  let proxynet: { at: number; subnets: string[] } = { at: 0, subnets: [] };
  const proxynetSubnets = async (): Promise<string[]> => {
    if (engine === undefined || Date.now() - proxynet.at < PROXYNET_TTL_MS) return proxynet.subnets;
    const subnets = await networkSubnets(engine()).catch((error: unknown) => {
      // Docker down: the last subnets known stand (and the bridge's own interface is protected anyway while it exists).
      log.debug({ err: error }, 'proxynet subnet unknown');
      return proxynet.subnets;
    });
    proxynet = { at: Date.now(), subnets };
    return subnets;
  };
  return async (env) => {
    const listed = (items: readonly string[], why: string): ProtectedRange[] =>
      items.flatMap((item) => {
        const range = parseTarget(item);
        return range === undefined ? [] : [{ range, why }];
      });
    const whitelist = await loadWhitelist(env.threat.whitelist);
    return [
      ...FIXED,
      ...hostRanges(),
      ...listed(await proxynetSubnets(), "proxynet's subnet"),
      ...listed(env.hookAllowedCidrs, 'in HOOK_ALLOWED_CIDRS (sources that may call railyard)'),
      ...listed(env.trustedIpsCidrs, 'in TRUSTED_IPS_CIDRS (trusted proxies)'),
      ...listed(env.blocks.protectedCidrs, 'in BLOCK_PROTECTED_CIDRS'),
      ...whitelist.ranges.map((range) => ({ range, why: 'in THREAT_WHITELIST' })),
    ];
  };
}

function hostRanges(): ProtectedRange[] {
  return Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? []).flatMap((a) => {
      const address = a.address.split('%')[0]!;
      const own = parseTarget(address);
      const subnet = a.cidr === null ? undefined : parseTarget(`${address}/${a.cidr.split('/')[1]}`);
      return [
        ...(own === undefined ? [] : [{ range: own, why: `one of this host's addresses (${name})` }]),
        ...(subnet !== undefined && SUBNET_INTERFACES.test(name) ? [{ range: subnet, why: `the subnet of ${name} (a Docker bridge or VPN)` }] : []),
      ];
    }));
}
