import { setTimeout as sleep } from 'node:timers/promises';
import { RailyardError } from '../core/errors.ts';
import type { RunError, RunRecord } from './run-record.ts';
import type { RunStore } from './run-store.ts';
import { FINAL_STATUSES } from '../core/types.ts';

export interface WaitOptions {
  /** @default 100 */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  /** Called when the wait moves on from `from` (superseded or interrupted) to the run `to`. */
  readonly onFollow?: (from: RunRecord, to: string) => void;
  /** Resolves when a run of this process ends (Runner.nextFinish): the store is read again at once. Undefined: no runner here (yet). */
  readonly wake?: () => Promise<void> | undefined;
  /** How a run ended that the store has not taken yet (Runner.unrecorded): the wait ends with it. */
  readonly unrecorded?: (runId: string) => RunError | undefined;
}

/**
 * Waits until a run ends, through the store, so it works whichever process
 * runs it. A superseded run is followed to the run that absorbed it, an
 * interrupted one to its retry (`retriedBy`: railyard restarted during the
 * run): the record returned is the one that did the work.
 */
export async function waitForRun(store: RunStore, runId: string, options: WaitOptions = {}): Promise<RunRecord> {
  let id = runId;
  for (;;) {
    const run = store.getRun(id);
    if (run === undefined) throw new RailyardError('RUN_NOT_FOUND', `There is no run ${id}`);
    const next = nextRun(run);
    if (next !== undefined) {
      options.onFollow?.(run, next);
      id = next;
      continue;
    }
    if (FINAL_STATUSES.includes(run.status)) return run;
    const ended = options.unrecorded?.(id);
    if (ended !== undefined) return { ...run, status: 'failed', error: ended };
    const pause = new AbortController();
    const signal = options.signal === undefined ? pause.signal : AbortSignal.any([options.signal, pause.signal]);
    const slept = sleep(options.intervalMs ?? 100, undefined, { signal }).catch((error: unknown) => {
      if (!pause.signal.aborted) throw error; // the caller's abort; the wake's own ends the sleep quietly
    });
    const woken = options.wake?.();
    await (woken === undefined ? slept : Promise.race([slept, woken]));
    pause.abort();
  }
}

/** Where the work of a finished run went, when another run does it. */
export function nextRun(run: RunRecord): string | undefined {
  if (run.status === 'superseded') return run.supersededBy;
  if (run.status === 'interrupted') return run.retriedBy;
  return undefined;
}
