import type { Logger } from '../core/logger.ts';
import type { RunError } from './run-record.ts';
import type { RunStore } from './run-store.ts';

const RETRY_MS = 500;

/**
 * Runs that ended but whose outcome the store refused (a full disk, a lock
 * held elsewhere): they must not stay `running`. Each is written as failed
 * now, then again with backoff (up to `maxRetryMs`) while the store refuses;
 * `get` answers how it ended meanwhile (a waiting `apply` ends with it).
 */
export class UnrecordedOutcomes {
  readonly #pending = new Map<string, RunError>();
  readonly #store: RunStore;
  readonly #log: Logger;
  readonly #maxRetryMs: number;
  #timer: NodeJS.Timeout | undefined;
  #delay = RETRY_MS;
  #stopped = false;

  constructor(store: RunStore, log: Logger, maxRetryMs: number) {
    this.#store = store;
    this.#log = log;
    this.#maxRetryMs = maxRetryMs;
  }

  record(runId: string, error: RunError): void {
    this.#pending.set(runId, error);
    this.#flush();
  }

  /** How a run ended when the store has not taken it yet, else undefined. */
  get(runId: string): RunError | undefined {
    return this.#pending.get(runId);
  }

  /** No more retries: the next start marks what is left interrupted (recoverRuns). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [runId, error] of this.#pending) {
      try {
        this.#store.finishRun(runId, 'failed', error);
        this.#pending.delete(runId);
        this.#log.warn({ runId, code: error.code }, 'run recorded as failed');
      } catch (error) {
        this.#log.debug({ err: error, runId, retryMs: this.#delay }, 'run outcome still refused');
        if (this.#stopped) return;
        this.#timer = setTimeout(() => this.#flush(), this.#delay).unref();
        this.#delay = Math.min(this.#delay * 2, this.#maxRetryMs);
        return;
      }
    }
    this.#delay = RETRY_MS;
  }
}
