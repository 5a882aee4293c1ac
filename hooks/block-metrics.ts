import type { RequestContext } from './context.ts';

/**
 * The block API's Prometheus families: live blocks, blocks added, expired
 * and lifted (kept in the store, so they count across restarts and threads),
 * and packets dropped (the nft table's counter, since it was last loaded).
 */
export async function blockMetricsText(ctx: RequestContext): Promise<string> {
  const { store } = ctx.deps.blocks;
  const { firewall, nft } = ctx.config.env.blocks;
  const counters = store.counters();
  // Loaded at the first scrape (it runs nft): deliveries never need it.
  const { readCounters } = await import('../runtime/firewall/counters.ts');
  const dropped = firewall === 'nft' ? await readCounters(nft).catch(() => undefined) : undefined;
  const family = (name: string, type: string, help: string, value: number | undefined): string[] =>
    value === undefined ? [] : [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`];
  return [
    ...family('railyard_blocks_active', 'gauge', 'Blocks in force now.', store.active().length),
    ...family('railyard_blocks_added_total', 'counter', 'Blocks that started (a blocked key with no live report got one).', counters.added),
    ...family('railyard_blocks_expired_total', 'counter', "Blocks lifted because their last report's TTL ended.", counters.expired),
    ...family('railyard_blocks_lifted_total', 'counter', 'Blocks lifted by a DELETE.', counters.lifted),
    ...family('railyard_blocks_dropped_packets_total', 'counter', "Packets dropped by railyard's nftables table since it was loaded.", dropped?.dropped),
    '',
  ].join('\n');
}
