import PQueue from 'p-queue';

export interface ProjectQueueOptions<J> {
  /** Jobs running at once across all projects (`RAILYARD_CONCURRENCY`). */
  readonly concurrency: number;
  readonly execute: (job: J) => Promise<void>;
  /** Called when `execute` throws (it should record failures itself). */
  readonly onError: (error: unknown, job: J) => void;
}

/**
 * One queue per key (a project; see Job.key) with concurrency 1, under a global
 * limit. A queue has at most one running and one pending job: `put` replaces the pending job, so a
 * caller merges a new trigger into the pending one before putting it back.
 * Starts paused; `start()` begins work (after crash recovery has put back
 * everything it found, so those jobs can merge first).
 */
export class ProjectQueue<J extends { readonly key: string }> {
  readonly #global: PQueue;
  readonly #execute: (job: J) => Promise<void>;
  readonly #onError: (error: unknown, job: J) => void;
  readonly #pending = new Map<string, J>();
  readonly #running = new Map<string, J>();
  /** Projects with a start waiting for a global slot: at most one each. */
  readonly #scheduled = new Set<string>();

  constructor(options: ProjectQueueOptions<J>) {
    this.#global = new PQueue({ concurrency: options.concurrency, autoStart: false });
    this.#execute = options.execute;
    this.#onError = options.onError;
  }

  pending(key: string): J | undefined {
    return this.#pending.get(key);
  }

  /** Every job held, running ones first. */
  jobs(): J[] {
    return [...this.#running.values(), ...this.#pending.values()];
  }

  /** Makes `job` the pending job of its queue, replacing any. */
  put(job: J): void {
    this.#pending.set(job.key, job);
    this.#schedule(job.key);
  }

  /** Removes and returns the pending job of a queue. */
  take(key: string): J | undefined {
    const job = this.#pending.get(key);
    this.#pending.delete(key);
    return job;
  }

  start(): void {
    this.#global.start();
  }

  /** Stops starting jobs; running ones carry on. */
  pause(): void {
    this.#global.pause();
  }

  /** Resolves when nothing runs (and, while started, nothing is pending). */
  async onIdle(): Promise<void> {
    while (this.#running.size > 0 || (!this.#global.isPaused && this.#pending.size > 0)) {
      await (this.#global.isPaused ? this.#global.onPendingZero() : this.#global.onIdle());
    }
  }

  #schedule(key: string): void {
    if (this.#running.has(key) || this.#scheduled.has(key)) return;
    this.#scheduled.add(key);
    void this.#global.add(async () => {
      this.#scheduled.delete(key);
      const job = this.take(key);
      if (job === undefined) return;
      this.#running.set(key, job);
      try {
        await this.#execute(job);
      } catch (error) {
        this.#onError(error, job);
      } finally {
        this.#running.delete(key);
        if (this.#pending.has(key)) this.#schedule(key);
      }
    });
  }
}
