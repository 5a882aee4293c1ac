import type { Logger } from '../../core/logger.ts';
import { BlockStore } from '../../pipeline/block-store.ts';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import type { Step } from '../../pipeline/types.ts';
import { parseFail2banLine } from './fail2ban.ts';
import { compareTargets, parseTarget, type Target } from './ip.ts';
import { parseListLine } from './list-line.ts';
import { readLines } from './read-lines.ts';
import { loadWhitelist } from './whitelist.ts';

/** Where an address was found: a blacklist file, a fail2ban log, or a block of the block API. */
export type ThreatSource = 'blacklist' | 'block' | 'fail2ban';

/** One blacklisted address or network, with where it came from. */
export interface ThreatTarget {
  readonly target: Target;
  readonly sources: readonly ThreatSource[];
  /** fail2ban jails that banned it. */
  readonly jails: readonly string[];
}

export interface ThreatSourcesResult {
  /** Every blacklisted target not covered by the whitelist, in report order. */
  readonly targets: readonly ThreatTarget[];
  /** Targets left out because the whitelist covers them. */
  readonly whitelisted: number;
  /** Blacklist lines that were not understood (each logged, up to a limit). */
  readonly skippedLines: number;
}

/** Warnings logged per file for lines not understood; the rest are only counted. */
const MAX_LINE_WARNINGS = 10;

/** Reads the blacklist files, the fail2ban logs and the whitelist. */
export const threatSources: Step<'threat-sources', ThreatSourcesResult> = {
  name: 'threat-sources',
  async run(ctx) {
    const { threat } = ctx.env;
    const found = new Map<string, { target: Target; sources: Set<ThreatSource>; jails: Set<string> }>();
    const add = (target: Target, source: ThreatSource, jail?: string): void => {
      const entry = found.get(target.key) ?? { target, sources: new Set(), jails: new Set() };
      entry.sources.add(source);
      if (jail !== undefined) entry.jails.add(jail);
      found.set(target.key, entry);
    };
    let skippedLines = 0;
    for (const file of threat.blacklist) {
      skippedLines += await readBlacklist(file, ctx.log, (target) => add(target, 'blacklist'));
    }
    for (const file of threat.fail2banLogs) {
      await readLines(file, (line) => {
        const ban = parseFail2banLine(line);
        if (ban !== undefined) add(ban.target, 'fail2ban', ban.jail);
      });
    }
    const blocks = storedBlocks(ctx.env.root);
    for (const target of blocks) add(target, 'block');
    const whitelist = await loadWhitelist(threat.whitelist);
    const targets = [...found.values()]
      .filter((entry) => !whitelist.covers(entry.target))
      .sort((a, b) => compareTargets(a.target, b.target))
      .map((entry) => ({ target: entry.target, sources: [...entry.sources].sort(), jails: [...entry.jails].sort() }));
    const whitelisted = found.size - targets.length;
    ctx.log.info(
      { blacklist: threat.blacklist, fail2ban: threat.fail2banLogs, blocks: blocks.length, targets: targets.length, whitelisted, skippedLines },
      'threat sources read',
    );
    return { targets, whitelisted, skippedLines };
  },
};

/** Adds every entry of one blacklist file; returns the number of lines not understood. */
async function readBlacklist(file: string, log: Logger, add: (target: Target) => void): Promise<number> {
  let skipped = 0;
  await readLines(file, (line, number) => {
    const target = parseListLine(line);
    if (target === null) return;
    if (target !== undefined) {
      add(target);
      return;
    }
    if (++skipped <= MAX_LINE_WARNINGS) log.warn({ file, line: number, text: line.slice(0, 120) }, 'blacklist line not understood');
  });
  if (skipped > MAX_LINE_WARNINGS) log.warn({ file, skipped }, 'blacklist lines not understood');
  return skipped;
}

/** The targets of the block API's live blocks (a port-scoped block names its attacker as well). */
function storedBlocks(root: string): Target[] {
  const store = RunStore.open(storePath(root));
  try {
    return new BlockStore(store).active().flatMap((block) => parseTarget(block.target) ?? []);
  } finally {
    store.close();
  }
}
