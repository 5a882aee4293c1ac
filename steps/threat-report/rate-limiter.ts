import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';

export interface RateLimit {
  /** Requests allowed in any window of `intervalMs`. */
  readonly cap: number;
  readonly intervalMs: number;
}

/**
 * At most `cap` requests in any `intervalMs`, as the server counts them: by
 * arrival. Limiting request starts is not enough: the first requests of a
 * burst may reach the server late (connections being opened), the next batch
 * on time, and the server sees more than `cap` in one window (measured: 168
 * with a cap of 150). So each of the `cap` slots of a p-queue is held from
 * the request's start until `intervalMs` after its answer: request k + cap then
 * starts after request k was answered, so after it arrived, plus a full interval.
 * The price is a rate of cap / (interval + latency) instead of cap / interval.
 */
export class RateLimiter {
  readonly #queue: PQueue;
  readonly #intervalMs: number;
  #resume: NodeJS.Timeout | undefined;
  #pausedUntil = 0;

  constructor(limit: RateLimit) {
    this.#queue = new PQueue({ concurrency: limit.cap });
    this.#intervalMs = limit.intervalMs;
  }

  /**
   * Runs `request` in a free slot and resolves with its result as soon as it
   * has one (the slot stays taken for the interval after). Rejects with the
   * abort reason when `signal` aborts while it waits for a slot.
   * @param priority higher first
   */
  run<T>(request: () => Promise<T>, options: { readonly signal: AbortSignal; readonly priority: number }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue
        .add(async () => {
          await request().then(resolve, reject);
          await sleep(this.#intervalMs, undefined, { ref: false });
        }, options)
        .catch(reject);
    });
  }

  /** Starts nothing for `ms` (a 429's Retry-After); a longer pause already running wins. */
  pauseFor(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#queue.pause();
    clearTimeout(this.#resume);
    this.#resume = setTimeout(() => this.#queue.start(), ms);
  }

  close(): void {
    clearTimeout(this.#resume);
  }
}
