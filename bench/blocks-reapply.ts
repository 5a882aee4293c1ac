/**
 * The block API's firewall figures (issue 15): the time to load 10,000
 * stored blocks into railyard's nftables table at start (one `nft -f -`
 * transaction), and the time of one more block on top of them (one
 * set-element add). Runs itself inside a network namespace it creates, so the
 * host's own ruleset is never touched. Needs root, nft and ip.
 * Run: node --import tsx bench/blocks-reapply.ts   (BENCH_BLOCKS=N, default 10000)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlockKeeper } from '../app/blocks/keeper.ts';
import { createLogger } from '../core/logger.ts';
import { BlockStore } from '../pipeline/block-store.ts';
import { RunStore } from '../pipeline/run-store.ts';
import { readCounters } from '../runtime/firewall/counters.ts';

const BLOCKS = Number(process.env['BENCH_BLOCKS'] ?? 10_000);
const NS = process.env['BENCH_NETNS'];

if (NS === undefined) {
  const ns = `ry-bench-${process.pid}`;
  spawnSync('ip', ['netns', 'add', ns], { stdio: 'inherit' });
  const child = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], {
    stdio: 'inherit', env: { ...process.env, BENCH_NETNS: ns },
  });
  spawnSync('ip', ['netns', 'del', ns]);
  process.exit(child.status ?? 1);
}

const dir = mkdtempSync(join(tmpdir(), 'railyard-bench-blocks-'));
const store = RunStore.open(join(dir, 'railyard.db'));
const blocks = new BlockStore(store);
store.transaction(() => {
  for (let i = 0; i < BLOCKS; i++) {
    const target = `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    blocks.report({ target, family: 4, proto: '', port: 0, reporter: '10.8.0.2', reason: 'bench', expiresAt: undefined });
  }
});
const settings = { firewall: 'nft' as const, nft: 'nft', basicUser: undefined, basicPassword: undefined, minPrefixV4: 16, minPrefixV6: 32, protectedCidrs: [] };
const log = createLogger({ level: 'warn', secrets: [], pretty: false });
const keeper = new BlockKeeper({ blocks, log, settings: () => settings });
let started = performance.now();
await keeper.start();
const startMs = performance.now() - started;
const loaded = (await readCounters('nft'))?.elements.size ?? 0;
blocks.report({ target: '203.0.113.9', family: 4, proto: '', port: 0, reporter: '10.8.0.2', reason: 'bench', expiresAt: undefined });
started = performance.now();
await keeper.sync();
const addMs = performance.now() - started;
keeper.stop();
store.close();
rmSync(dir, { recursive: true, force: true });
console.log(`blocks: ${BLOCKS} stored blocks loaded at start in ${startMs.toFixed(0)} ms (${loaded} elements in the set, netns ${NS}); one more block on top: ${addMs.toFixed(1)} ms (sweep, diff, one nft set-element add)`);
