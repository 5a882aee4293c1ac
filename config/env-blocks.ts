import { cidrs } from './env-hooks.ts';
import type { EnvReader } from './env-reader.ts';

/** Settings of the block API and the host firewall (issue 15). */
export interface BlocksEnv {
  /**
   * `BLOCK_FIREWALL`: `nft` applies blocks to railyard's own nftables table;
   * `off` only stores them (the threat report and GET /api/blocks still see them).
   * @default 'nft'
   */
  readonly firewall: 'nft' | 'off';
  /** The nft program (`BLOCK_NFT`). @default 'nft' */
  readonly nft: string;
  /** HTTP Basic user of the block API, as web-ipt-d's curl sends it (`BLOCK_API_USER`); needs BLOCK_API_PASSWORD. */
  readonly basicUser: string | undefined;
  /** `BLOCK_API_PASSWORD`. */
  readonly basicPassword: string | undefined;
  /** IPv4 networks wider than this are refused (`BLOCK_MIN_PREFIX_V4`). @default 16 */
  readonly minPrefixV4: number;
  /** IPv6 networks wider than this are refused (`BLOCK_MIN_PREFIX_V6`). @default 32 */
  readonly minPrefixV6: number;
  /**
   * Never blocked, on top of loopback, the host's own addresses, its Docker
   * bridge and VPN interfaces' subnets, proxynet, HOOK_ALLOWED_CIDRS and
   * THREAT_WHITELIST (`BLOCK_PROTECTED_CIDRS`: the VPN subnet when the VPN
   * server runs elsewhere, an office network). @default []
   */
  readonly protectedCidrs: readonly string[];
}

export function blocksEnv(read: EnvReader): BlocksEnv {
  const { str, int, list, problems } = read;
  const firewall = str('BLOCK_FIREWALL')?.toLowerCase() ?? 'nft';
  if (firewall !== 'nft' && firewall !== 'off') problems.push(`BLOCK_FIREWALL=${JSON.stringify(firewall)} must be nft or off`);
  const basicUser = str('BLOCK_API_USER');
  const basicPassword = str('BLOCK_API_PASSWORD');
  if ((basicUser === undefined) !== (basicPassword === undefined)) problems.push('BLOCK_API_USER and BLOCK_API_PASSWORD must be set together');
  if (basicUser?.includes(':') === true) problems.push('BLOCK_API_USER must not contain ":" (HTTP Basic splits user and password there)');
  return {
    firewall: firewall === 'off' ? 'off' : 'nft',
    nft: str('BLOCK_NFT') ?? 'nft',
    basicUser,
    basicPassword,
    minPrefixV4: int('BLOCK_MIN_PREFIX_V4', 16, 1, 32),
    minPrefixV6: int('BLOCK_MIN_PREFIX_V6', 32, 1, 128),
    protectedCidrs: cidrs(list('BLOCK_PROTECTED_CIDRS'), problems, 'BLOCK_PROTECTED_CIDRS'),
  };
}
