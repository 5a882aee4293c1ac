import { createHash } from 'node:crypto';
import type { NetworkPool } from '../../config/env.ts';
import { RailyardError } from '../../core/errors.ts';

/** An IPv4 range as numbers: [first, last] address, inclusive. */
export interface Range {
  readonly first: number;
  readonly last: number;
}


/** A network already on the engine, with its IPv4 subnets. */
export interface EngineNetwork {
  readonly name: string;
  readonly subnets: readonly string[];
}

export interface AllocateInput {
  /** Projects whose compose file uses the default network, in db.yml order. */
  readonly projects: readonly string[];
  readonly pool: NetworkPool;
  /** What the last render gave each project (`data/network-pool.json`). */
  readonly previous: Readonly<Record<string, string>>;
  /** Networks on the engine; empty when it could not be asked. */
  readonly engine: readonly EngineNetwork[];
}

/** Ranges parsed so far: a render parses the kept subnet of each of 1,000 projects. Cleared past this size. */
const parsed = new Map<string, Range | undefined>();
const MAX_PARSED = 10_000;

/** `a.b.c.d/n` as a range; undefined when it is not an IPv4 CIDR. */
export function parseCidr(cidr: string): Range | undefined {
  if (parsed.has(cidr)) return parsed.get(cidr);
  if (parsed.size >= MAX_PARSED) parsed.clear();
  const range = parseCidrNow(cidr);
  parsed.set(cidr, range === undefined ? undefined : Object.freeze(range));
  return range;
}

function parseCidrNow(cidr: string): Range | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = address - (address % size);
  return { first, last: first + size - 1 };
}

export function formatCidr(first: number, prefix: number): string {
  return `${[24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.')}/${prefix}`;
}

/** How many project subnets the pool holds. */
export function poolCapacity(pool: NetworkPool): number {
  const range = parseCidr(pool.cidr);
  return range === undefined ? 0 : (range.last - range.first + 1) / 2 ** (32 - pool.prefix);
}

const overlaps = (a: Range, b: Range): boolean => a.first <= b.last && b.first <= a.last;

/** The compose default network of a project, as compose names it. */
export function defaultNetworkName(project: string): string {
  return `${project.toLowerCase()}_default`;
}

export interface SubnetAllocator {
  /** The subnet of `project`'s default network; assigned on first call, in call order. */
  subnetOf(project: string): string;
  /** Every subnet handed out so far (what `data/network-pool.json` keeps). */
  assigned(): Record<string, string>;
  /** The subnet `project` keeps (its network's, or the last render's), which no call order changes; undefined for one still to assign. */
  kept(project: string): string | undefined;
}

/**
 * A subnet per project, deterministic and stable:
 *  1. a project whose default network already exists on the engine keeps that
 *     network's subnet (compose does not change an existing network);
 *  2. else the subnet the last render gave it, unless another network on the
 *     engine now overlaps it (then it moves, before its network exists);
 *  3. else the first free slot from one derived from its name (a hash), so
 *     adding or removing another project never moves it. A slot that overlaps
 *     any network on the engine (railyard's or not) is skipped.
 * `subnetOf` throws NETWORK_POOL_EXHAUSTED when the pool has no free slot left.
 */
export function subnetAllocator(input: AllocateInput): SubnetAllocator {
  const { pool } = input;
  const range = parseCidr(pool.cidr);
  if (range === undefined) throw new RailyardError('ENV_INVALID', `RAILYARD_NETWORK_POOL=${pool.cidr} is not an IPv4 CIDR`);
  // Only engine networks are looked up in it: without them (a render without an engine) it is not built.
  const own = new Map(input.engine.length === 0 ? [] : input.projects.map((p) => [defaultNetworkName(p), p]));
  const taken: { range: Range; project: string | undefined }[] = [];
  const size = 2 ** (32 - pool.prefix);
  const index = new TakenIndex(size);
  const take = (entry: { range: Range; project: string | undefined }): void => {
    taken.push(entry);
    index.add(entry);
  };
  for (const network of input.engine) {
    for (const subnet of network.subnets) {
      const r = parseCidr(subnet);
      if (r) take({ range: r, project: own.get(network.name) });
    }
  }
  const free = (r: Range, project: string): boolean => index.near(r).every((t) => t.project === project || !overlaps(t.range, r));
  const byName = new Map(input.engine.map((n) => [n.name, n]));
  const result = new Map<string, string>();
  for (const project of input.projects) {
    const existing = byName.size === 0 ? undefined : byName.get(defaultNetworkName(project))?.subnets.find((s) => parseCidr(s) !== undefined);
    const previous = input.previous[project];
    const previousRange = previous === undefined ? undefined : parseCidr(previous);
    const keep = existing ?? (previousRange !== undefined && free(previousRange, project) ? previous : undefined);
    if (keep === undefined) continue;
    result.set(project, keep);
    take({ range: keep === previous ? previousRange! : parseCidr(keep)!, project });
  }
  const slots = (range.last - range.first + 1) / size;
  // New projects have no network of their own on the engine: every taken range blocks them.
  const used = new Uint8Array(slots);
  for (const { range: t } of taken) {
    if (!overlaps(t, range)) continue;
    const from = Math.floor((Math.max(t.first, range.first) - range.first) / size);
    const to = Math.floor((Math.min(t.last, range.last) - range.first) / size);
    used.fill(1, from, to + 1);
  }
  const assign = (project: string): string => {
    const start = slotOf(project, slots);
    for (let i = 0; i < slots; i++) {
      const slot = (start + i) % slots;
      if (used[slot] !== 0) continue;
      used[slot] = 1;
      return formatCidr(range.first + slot * size, pool.prefix);
    }
    throw new RailyardError('NETWORK_POOL_EXHAUSTED', `No free /${pool.prefix} subnet left in RAILYARD_NETWORK_POOL=${pool.cidr} (${slots} subnets) for project ${project}: use a wider pool, or smaller subnets with RAILYARD_NETWORK_SUBNET`, { project, data: { pool: pool.cidr, slots } });
  };
  const handed = new Map<string, string>();
  return {
    subnetOf(project) {
      let subnet = handed.get(project) ?? result.get(project);
      subnet ??= assign(project);
      handed.set(project, subnet);
      return subnet;
    },
    assigned: () => Object.fromEntries(handed),
    kept: (project) => result.get(project),
  };
}

/** Taken ranges by the blocks (of the pool's subnet size) they cover, so a check looks at its neighbours only, not at every network. */
class TakenIndex {
  /** Ranges covering more blocks than this are checked by every query. */
  static readonly MAX_BLOCKS = 4096;
  readonly #blocks = new Map<number, { range: Range; project: string | undefined }[]>();
  readonly #wide: { range: Range; project: string | undefined }[] = [];
  constructor(readonly size: number) {}

  add(entry: { range: Range; project: string | undefined }): void {
    const from = Math.floor(entry.range.first / this.size);
    const to = Math.floor(entry.range.last / this.size);
    if (to - from >= TakenIndex.MAX_BLOCKS) {
      this.#wide.push(entry);
      return;
    }
    for (let block = from; block <= to; block++) {
      const list = this.#blocks.get(block);
      if (list) list.push(entry);
      else this.#blocks.set(block, [entry]);
    }
  }

  /** Every range that may overlap `r` (a superset). */
  near(r: Range): { range: Range; project: string | undefined }[] {
    const from = Math.floor(r.first / this.size);
    const to = Math.floor(r.last / this.size);
    if (to - from >= TakenIndex.MAX_BLOCKS) return [...this.#wide, ...[...this.#blocks.values()].flat()];
    const found = [...this.#wide];
    for (let block = from; block <= to; block++) found.push(...(this.#blocks.get(block) ?? []));
    return found;
  }
}

function slotOf(project: string, slots: number): number {
  return createHash('sha256').update(project).digest().readUInt32BE(0) % slots;
}
