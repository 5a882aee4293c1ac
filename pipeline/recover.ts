import type { RunRecord } from './run-record.ts';
import type { RunStore } from './run-store.ts';

export interface Interruption {
  readonly run: RunRecord;
  /** The queued retry, when the run gets one. */
  readonly retryId: string | undefined;
}

/**
 * Marks a run `interrupted` and, when `retry`, queues a copy of it (`retry_of`
 * set) in the same transaction. Deploy is an idempotent reconcile, so
 * replaying it is safe.
 */
export function interruptRun(store: RunStore, run: RunRecord, retry: boolean, why: string): Interruption {
  return store.transaction(() => {
    const step = store.stepsOf(run.id).findLast((s) => s.status === 'running' || s.status === 'interrupted')?.name;
    const retryId = retry
      ? store.insertRun({
        pipeline: run.pipeline,
        project: run.project,
        service: run.service,
        trigger: run.trigger,
        commit: run.commit,
        configHash: run.configHash,
        retryOf: run.retryOf ?? run.id,
      })
      : undefined;
    const message = retryId === undefined ? `${why}; not retried again` : `${why}; retried as run ${retryId}`;
    store.finishRun(run.id, 'interrupted', { step, code: 'RUN_INTERRUPTED', message });
    return { run, retryId };
  });
}

/**
 * Retries a run gets after crashes. Two, not one: a run and its retry both
 * cut off mid-rollout leave up to 3× the replicas, and only a deploy that runs
 * to the end converges them (issue 12). Bounded, so a run that kills railyard
 * cannot loop.
 */
export const MAX_CRASH_RETRIES = 2;

/**
 * At start-up: runs a dead process left `running` are marked `interrupted` and
 * retried, up to MAX_CRASH_RETRIES times per original run. Queued runs stay queued.
 */
export function recoverRuns(store: RunStore): Interruption[] {
  return store.runsWithStatus('running').map((run) =>
    interruptRun(store, run, store.retriesOf(run.retryOf ?? run.id) < MAX_CRASH_RETRIES, 'railyard stopped during the run'),
  );
}
