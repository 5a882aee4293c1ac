import type { RunStore } from './run-store.ts';

/** Log lines kept per run in the store; later lines still reach the console. @default 5000 */
export const RUN_LOG_MAX_LINES = 5000;
/** Longer lines are cut (a pasted file in an error, say). */
const MAX_LINE_CHARS = 8192;
/** Lines are written in batches: one transaction per batch, not per line. */
const FLUSH_MS = 250;

/**
 * A run's stored log: receives each (already scrubbed) JSON line from the
 * run's logger, keeps at most `maxLines` and writes them in batches.
 */
export class RunLog {
  #buffer: string[] = [];
  #next = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
    private readonly maxLines = RUN_LOG_MAX_LINES,
  ) {}

  readonly write = (line: string): void => {
    if (this.#next + this.#buffer.length > this.maxLines) return;
    const trimmed = line.trimEnd();
    if (this.#next + this.#buffer.length === this.maxLines) {
      this.#buffer.push(JSON.stringify({ level: 40, time: Date.now(), msg: 'run log truncated', kept: this.maxLines }));
    } else {
      this.#buffer.push(trimmed.length > MAX_LINE_CHARS ? `${trimmed.slice(0, MAX_LINE_CHARS)}…` : trimmed);
    }
    this.#timer ??= setTimeout(() => {
      try {
        this.flush();
      } catch {
        // The store was closed (shutdown): the console still got the line.
      }
    }, FLUSH_MS).unref();
  };

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#buffer.length === 0) return;
    const lines = this.#buffer;
    this.#buffer = [];
    this.store.appendLog(this.runId, this.#next, lines);
    this.#next += lines.length;
  }
}
