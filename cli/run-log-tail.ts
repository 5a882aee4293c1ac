import { logLine } from '../app/run-format.ts';
import type { RunStore } from '../pipeline/run-store.ts';

/** The store receives a run's log in batches every 250 ms (pipeline/run-log.ts). */
const POLL_MS = 250;

export interface LogTail {
  /** Also streams `runId` (a retry or the run that absorbed the one followed). */
  follow(runId: string): void;
  /** Prints what is left and stops. */
  stop(): void;
}

/**
 * Prints the stored log of a run another process runs (`serve`, `worker`), line
 * by line as that process writes it, so `apply` shows the rollout while it
 * waits instead of sitting silent. Runs a followed run fans out to (a sync's
 * deploys) are streamed too. Each line is prefixed with its run: the runs of a
 * fan-out go side by side.
 */
export function tailRunLogs(store: RunStore, runId: string, out: (text: string) => void): LogTail {
  const sent = new Map<string, number>([[runId, 0]]);
  const poll = (): void => {
    for (const [id, count] of [...sent]) {
      for (const child of store.childrenOf(id)) if (!sent.has(child.id)) sent.set(child.id, 0);
      const lines = store.logOf(id);
      if (lines.length <= count) continue;
      out(lines.slice(count).map((line) => `#${id} ${logLine(line)}\n`).join(''));
      sent.set(id, lines.length);
    }
  };
  const safePoll = (): void => {
    try {
      poll();
    } catch {
      // A busy or closed store: the next poll (or the run's outcome) says more.
    }
  };
  const timer = setInterval(safePoll, POLL_MS);
  return {
    follow(id) {
      if (!sent.has(id)) sent.set(id, 0);
    },
    stop() {
      clearInterval(timer);
      safePoll();
    },
  };
}
