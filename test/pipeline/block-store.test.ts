import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BlockStore, type BlockReport } from '../../pipeline/block-store.ts';
import { RunStore } from '../../pipeline/run-store.ts';

const report = (reporter: string, expiresAt: number | undefined, target = '192.0.2.9'): BlockReport =>
  ({ target, family: 4, proto: '', port: 0, reporter, reason: `from ${reporter}`, expiresAt });

describe('block-store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'railyard-block-store-'));
  const store = RunStore.open(join(dir, 'railyard.db'));
  const blocks = new BlockStore(store);
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('one block for several reporters, lifted when the last TTL ends', () => {
    const now = 1_000_000;
    assert.equal(blocks.report(report('10.0.0.1', now + 1000), now).added, true);
    assert.equal(blocks.report(report('10.0.0.2', now + 5000), now).added, false);
    const [block] = blocks.active(now);
    assert.deepEqual(block?.reporters.map((r) => r.reporter), ['10.0.0.1', '10.0.0.2']);
    assert.equal(block?.expiresAt, now + 5000);
    assert.equal(blocks.nextExpiry(now), now + 1000);
    assert.equal(blocks.sweep(now + 1000), 0, "the first TTL ended; the second reporter's holds");
    assert.deepEqual(blocks.active(now + 1000).map((b) => b.reporters.length), [1]);
    assert.equal(blocks.sweep(now + 5000), 1);
    assert.deepEqual(blocks.active(now + 5000), []);
    assert.equal(blocks.counters().expired, 1);
  });

  it('a permanent report keeps the block; a reporter withdraws only its own', () => {
    blocks.report(report('10.0.0.1', undefined, '192.0.2.10'));
    blocks.report(report('10.0.0.2', Date.now() + 60_000, '192.0.2.10'));
    const key = { target: '192.0.2.10', family: 4 as const, proto: '' as const, port: 0 };
    assert.equal(blocks.active().find((b) => b.target === '192.0.2.10')?.expiresAt, undefined);
    assert.deepEqual(blocks.lift(key, '10.0.0.1'), { lifted: false, remaining: ['10.0.0.2'] });
    assert.deepEqual(blocks.lift(key, '10.0.0.2'), { lifted: true, remaining: [] });
    assert.equal(blocks.lift(key, undefined), undefined);
  });
});
