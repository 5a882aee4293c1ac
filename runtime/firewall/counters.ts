import { nftListTable } from './nft.ts';
import { TABLE } from './ruleset.ts';

export interface FirewallCounters {
  /** Every packet the table dropped since it was last loaded. */
  readonly dropped: number;
  /** Packets dropped per element, by `set element-text`. */
  readonly elements: ReadonlyMap<string, number>;
}

interface NftJson {
  readonly nftables?: readonly Record<string, unknown>[];
}
interface SetJson {
  readonly name: string;
  readonly elem?: readonly unknown[];
}

/** Reads the table's counters; undefined when the table is not loaded. */
export async function readCounters(nft: string): Promise<FirewallCounters | undefined> {
  const json = (await nftListTable(nft, TABLE)) as NftJson | undefined;
  if (json === undefined) return undefined;
  let dropped = 0;
  const elements = new Map<string, number>();
  for (const item of json.nftables ?? []) {
    const counter = item['counter'] as { name?: string; packets?: number } | undefined;
    if (counter?.name === 'dropped') dropped = counter.packets ?? 0;
    const set = item['set'] as SetJson | undefined;
    for (const elem of set?.elem ?? []) {
      const entry = (elem as { elem?: { val?: unknown; counter?: { packets?: number } } }).elem;
      if (entry !== undefined) elements.set(`${set!.name} ${valueText(entry.val)}`, entry.counter?.packets ?? 0);
    }
  }
  return { dropped, elements };
}

/** nft's JSON value of an element, back in elementText's form. */
function valueText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const object = value as { prefix?: { addr: string; len: number }; concat?: unknown[]; range?: [unknown, unknown] };
  if (object.prefix !== undefined) return `${object.prefix.addr}/${object.prefix.len}`;
  if (object.concat !== undefined) return object.concat.map(valueText).join(' . ');
  return JSON.stringify(value);
}
