import type { ThreatEnv } from '../../config/env.ts';
import { RailyardError } from '../../core/errors.ts';
import { overlaps, parseTarget, type Target } from './ip.ts';
import { parseListLine } from './list-line.ts';
import { readLines } from './read-lines.ts';

/** Addresses that are never looked up or reported (GitHub's, a DNS resolver's, your own). */
export interface Whitelist {
  readonly ranges: readonly Target[];
  /**
   * True when the target shares any address with a whitelisted range: a
   * blacklisted network that merely overlaps the whitelist is left out too,
   * since looking it up would report the whitelisted owner.
   */
  covers(target: Target): boolean;
}

/**
 * Reads THREAT_WHITELIST: inline IPs and CIDRs, and files in the blacklist's
 * line format. An entry that does not parse fails the run: a whitelist typo
 * would silently report an address the operator meant to protect.
 */
export async function loadWhitelist(config: ThreatEnv['whitelist']): Promise<Whitelist> {
  const ranges: Target[] = [];
  for (const item of config.addresses) {
    const target = parseTarget(item);
    if (target === undefined) throw invalid(`THREAT_WHITELIST entry ${JSON.stringify(item)} is not an IP or CIDR`);
    ranges.push(target);
  }
  for (const file of config.files) {
    await readLines(file, (line, number) => {
      const target = parseListLine(line);
      if (target === undefined) throw invalid(`${file}:${number}: ${JSON.stringify(line.slice(0, 80))} is not an IP or CIDR`);
      if (target !== null) ranges.push(target);
    });
  }
  return { ranges, covers: (target) => ranges.some((range) => overlaps(range, target)) };
}

function invalid(message: string): RailyardError {
  return new RailyardError('THREAT_WHITELIST_INVALID', message);
}
