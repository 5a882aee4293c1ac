import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's `gc()` extension; `last-resort` is the memory-reducing collection V8 runs under memory pressure. */
type Gc = (options: { readonly type: 'major'; readonly execution: 'sync'; readonly flavor: 'last-resort' }) => void;

export interface CompactOptions {
  /** How often the thread looks whether it went quiet. @default 1000 */
  readonly windowMs?: number;
  /** Busy time since the last compaction that makes one worth its pause. @default 100 */
  readonly worthMs?: number;
  /** @default V8's gc(), without exposing it to the thread's code */
  readonly gc?: () => unknown;
}

/** Below this share of a window spent running, the thread is quiet. */
const QUIET = 0.02;

let exposed: Gc | undefined;

/**
 * One memory-reducing collection of this thread's heap now (~10 ms for the
 * HTTP thread); false when V8's gc() could not be had. It is taken from a
 * fresh context with --expose-gc set only meanwhile, so no global `gc`
 * appears in the thread's code. The flag is process-wide: another thread
 * resetting it at the same moment leaves the context without gc(), hence the
 * retries (and never an exception from a timer).
 */
export function compactHeap(): boolean {
  for (let attempt = 0; attempt < 3 && exposed === undefined; attempt++) {
    setFlagsFromString('--expose-gc');
    try {
      exposed = runInNewContext('typeof gc === "function" ? gc : undefined') as Gc | undefined;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  exposed?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return exposed !== undefined;
}

/**
 * Compacts this thread's heap once it goes quiet after work (start-up counts
 * as work), and again only after more work (issue 17 item 6: RSS at rest).
 * Node runs no idle-time GC: without this, what start-up or a burst of
 * deliveries left (a grown young generation, garbage, V8's pooled pages) stays
 * resident until the next load, ~6 MB per thread after start-up. Quiet is a
 * window of the event loop below 2% busy (the compaction itself stays under
 * that: it cannot trigger itself), so it never runs amid a stream of requests.
 */
export function compactWhenIdle(options: CompactOptions = {}): { stop(): void } {
  const windowMs = options.windowMs ?? 1000;
  const worthMs = options.worthMs ?? 100;
  const gc = options.gc ?? compactHeap;
  let busyMs = worthMs;
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const window = performance.eventLoopUtilization(now, last);
    last = now;
    busyMs += window.active;
    if (window.utilization >= QUIET || busyMs < worthMs) return;
    // Not compacted (no gc() this time): the next quiet window tries again.
    if (gc() !== false) busyMs = 0;
  }, windowMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
