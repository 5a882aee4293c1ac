import type { BlocksEnv } from '../../config/env.ts';
import { isRailyardError, RailyardError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Block, BlockStore } from '../../pipeline/block-store.ts';
import { nftApply, nftListTable } from '../../runtime/firewall/nft.ts';
import { changeScript, elementText, fullRuleset, setOf, TABLE, type FirewallElement } from '../../runtime/firewall/ruleset.ts';
import { contains, parseTarget, type Target } from '../../steps/threat-report/ip.ts';

/** After a failed apply, the next try comes this soon (and at every change, and at start). */
const RETRY_MS = 30_000;
/** The timer never sleeps longer than this (a clock jump cannot postpone an expiry for long). */
const MAX_SLEEP_MS = 60_000;

export interface KeeperOptions {
  readonly blocks: BlockStore;
  readonly log: Logger;
  /** The settings now (they change on SIGHUP). */
  readonly settings: () => BlocksEnv;
}

/**
 * Keeps railyard's nftables table equal to the stored blocks. It runs in the
 * main process (serve's runner side), never in the HTTP thread: the store is
 * the truth, and applying it does not depend on the endpoint. At start the
 * whole table is loaded in one transaction; after that a change is only the
 * set elements added or deleted. A failure keeps the blocks stored and is
 * retried; a refused incremental change (the table was flushed by hand) falls
 * back to loading the whole table. Its timer lifts blocks whose TTL ended.
 */
export class BlockKeeper {
  readonly #options: KeeperOptions;
  /** What the table holds, by `set element`; undefined: unknown, load it whole next time. */
  #applied: Map<string, FirewallElement> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: KeeperOptions) {
    this.#options = options;
  }

  /** Loads the whole table from the store; a failure is logged (serve keeps running and retries). */
  async start(): Promise<void> {
    await this.sync().catch(() => undefined);
  }

  /** Applies the store now (after a PUT or DELETE); rejects with FIREWALL_* when nft is missing or refuses. */
  sync(): Promise<void> {
    const run = this.#queue.then(() => this.#sync());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #sync(): Promise<void> {
    if (this.#stopped) return;
    const { blocks, log } = this.#options;
    let failed = false;
    try {
      const expired = blocks.sweep();
      if (expired > 0) log.info({ expired }, 'blocks expired');
      if (this.#options.settings().firewall === 'off') return;
      await this.#apply(desiredElements(blocks.active()));
    } catch (error) {
      failed = true;
      this.#applied = undefined;
      const code = isRailyardError(error) ? error.code : 'UNEXPECTED';
      log.error({ err: error, code }, 'blocks not applied to the firewall: they stay stored and are retried');
      throw error;
    } finally {
      this.#schedule(failed);
    }
  }

  async #apply(desired: Map<string, FirewallElement>): Promise<void> {
    const { nft } = this.#options.settings();
    const started = performance.now();
    if (this.#applied === undefined) {
      // Nothing to block and no table left from before: a host that never blocked keeps its ruleset untouched.
      if (desired.size > 0 || (await nftListTable(nft, TABLE)) !== undefined) await nftApply(nft, fullRuleset([...desired.values()]));
      this.#applied = desired;
      this.#options.log.info({ elements: desired.size, ms: Math.round(performance.now() - started) }, 'firewall table loaded');
      return;
    }
    const add = [...desired].filter(([id]) => !this.#applied!.has(id)).map(([, e]) => e);
    const remove = [...this.#applied].filter(([id]) => !desired.has(id)).map(([, e]) => e);
    if (add.length === 0 && remove.length === 0) return;
    try {
      await nftApply(nft, changeScript(add, remove));
    } catch (error) {
      if (!(error instanceof RailyardError) || error.code !== 'FIREWALL_REFUSED') throw error;
      this.#options.log.warn({ err: error }, 'firewall table changed behind railyard: loading it whole');
      await nftApply(nft, fullRuleset([...desired.values()]));
    }
    this.#applied = desired;
    this.#options.log.info({ added: add.length, removed: remove.length, ms: Math.round(performance.now() - started) }, 'firewall blocks applied');
  }

  #schedule(failed: boolean): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    const next = this.#options.blocks.nextExpiry();
    const untilExpiry = next === undefined ? MAX_SLEEP_MS : Math.max(0, next - Date.now()) + 5;
    const wait = Math.min(untilExpiry, MAX_SLEEP_MS, failed ? RETRY_MS : Infinity);
    this.#timer = setTimeout(() => void this.sync().catch(() => undefined), wait);
    this.#timer.unref();
  }
}

/**
 * The elements for the stored blocks: a block inside a wider one of the same
 * port and protocol is left out (nft refuses overlapping intervals in a set,
 * and the wider one drops its packets anyway).
 */
export function desiredElements(blocks: readonly Block[]): Map<string, FirewallElement> {
  const groups = new Map<string, Block[]>();
  for (const block of blocks) {
    const group = `${block.family} ${block.proto} ${block.port}`;
    const list = groups.get(group) ?? [];
    list.push(block);
    groups.set(group, list);
  }
  const elements = new Map<string, FirewallElement>();
  const add = (block: Block): void => {
    const element: FirewallElement = { family: block.family, target: block.target, proto: block.proto, port: block.port };
    elements.set(`${setOf(element)} ${elementText(element)}`, element);
  };
  for (const list of groups.values()) {
    // Distinct single addresses never overlap: only a group with a network needs the sweep below.
    if (!list.some((block) => block.target.includes('/'))) {
      list.forEach(add);
      continue;
    }
    const parsed = list.flatMap((block) => {
      const target = parseTarget(block.target);
      return target === undefined ? [] : [{ target, block }];
    });
    parsed.sort((a, b) => (a.target.start === b.target.start ? a.target.prefix - b.target.prefix : a.target.start < b.target.start ? -1 : 1));
    let outer: Target | undefined;
    for (const { target, block } of parsed) {
      // CIDRs nest or are disjoint: sorted by start, wider first, a covered one follows the one covering it.
      if (outer !== undefined && contains(outer, target)) continue;
      outer = target;
      add(block);
    }
  }
  return elements;
}
