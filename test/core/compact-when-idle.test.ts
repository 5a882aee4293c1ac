import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compactHeap, compactWhenIdle } from '../../core/compact-when-idle.ts';

/** Keeps the event loop busy about half the time for `ms` (5 ms of work every 10 ms). */
async function work(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const until = Date.now() + 5;
    while (Date.now() < until);
    await sleep(5);
  }
}

describe('compactWhenIdle', () => {
  it('compacts once the thread goes quiet after start-up, never amid work, again only after more work, and not after stop()', async () => {
    let calls = 0;
    const compaction = compactWhenIdle({ windowMs: 25, worthMs: 30, gc: () => void (calls += 1) });
    try {
      await sleep(200);
      assert.equal(calls, 1, 'start-up counts as work');
      await sleep(200);
      assert.equal(calls, 1, 'nothing done since: no second compaction');
      await work(300);
      assert.equal(calls, 1, 'not while the loop is busy');
      await sleep(200);
      assert.equal(calls, 2, 'once quiet after the work');
    } finally {
      compaction.stop();
    }
    await work(100);
    await sleep(200);
    assert.equal(calls, 2, 'stopped');
  });

  it('tries again in the next quiet windows when gc() was not to be had', async () => {
    const answers = [false, false, true];
    let calls = 0;
    const compaction = compactWhenIdle({ windowMs: 25, worthMs: 30, gc: () => answers[calls++] ?? true });
    try {
      await sleep(400);
      assert.equal(calls, 3, 'two misses, then one compaction, then nothing');
    } finally {
      compaction.stop();
    }
  });
});

describe('compactHeap', () => {
  it("frees this thread's garbage now, without leaving a global gc()", () => {
    const hadGc = typeof (globalThis as { gc?: unknown }).gc;
    let garbage: number[][] | undefined = Array.from({ length: 200 }, () => Array.from({ length: 20_000 }, (_, i) => i + 0.5));
    const before = process.memoryUsage().heapUsed;
    garbage = undefined;
    assert.equal(garbage, undefined);
    assert.equal(compactHeap(), true);
    const freedMb = (before - process.memoryUsage().heapUsed) / 1048576;
    assert.ok(freedMb > 20, `freed ${freedMb.toFixed(1)} MB of ~30 MB of garbage`);
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, hadGc);
  });
});
