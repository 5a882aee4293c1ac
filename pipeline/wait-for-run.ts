import { setTimeout as sleep } from 'node:timers/promises';
import { RailyardError } from '../core/errors.ts';
import type { RunError, RunRecord } from './run-record.ts';
import type { RunStore } from './run-store.ts';
import { FINAL_STATUSES } from '../core/types.ts';

export interface WaitOptions {
  /** @default 100 */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  /** How a run ended that the store has not taken yet (Runner.unrecorded): the wait ends with it. */
  readonly unrecorded?: (runId: string) => RunError | undefined;
}

/**
 * Waits until a run ends, through the store, so it works whichever process
 * runs it. A superseded run is followed to the run that absorbed it, an
 * interrupted one to its retry: the record returned is the one that did the work.
 */
export async function waitForRun(store: RunStore, runId: string, options: WaitOptions = {}): Promise<RunRecord> {
  let id = runId;
  for (;;) {
    const run = store.getRun(id);
    if (run === undefined) throw new RailyardError('RUN_NOT_FOUND', `There is no run ${id}`);
    if (run.status === 'superseded' && run.supersededBy !== undefined) {
      id = run.supersededBy;
      continue;
    }
    const retry = run.status === 'interrupted' ? store.retryAfter(run) : undefined;
    if (retry !== undefined) {
      id = retry;
      continue;
    }
    if (FINAL_STATUSES.includes(run.status)) return run;
    const ended = options.unrecorded?.(id);
    if (ended !== undefined) return { ...run, status: 'failed', error: ended };
    await sleep(options.intervalMs ?? 100, undefined, options.signal ? { signal: options.signal } : {});
  }
}
