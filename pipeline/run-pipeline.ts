import { performance } from 'node:perf_hooks';
import { RailyardError } from '../core/errors.ts';
import { scrubber } from '../core/logger.ts';
import type { RunError } from './run-record.ts';
import type { RunStore } from './run-store.ts';
import { createStepContext, type RunScope } from './step-context.ts';
import type { Pipeline, Step } from './types.ts';
import type { RunStatus } from '../core/types.ts';

export interface RunOutcome {
  readonly status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled' | 'interrupted'>;
  /** Which step failed, with its code and one-line message. */
  readonly error: RunError | undefined;
  readonly results: ReadonlyMap<Step, unknown>;
}

/**
 * Runs the steps in order, recording each in the store. The first failure
 * stops the run. An abort (cancellation or shutdown) stops it before the next
 * step; its reason, a RUN_CANCELLED or RUN_INTERRUPTED error, decides the status.
 */
export async function runPipeline(pipeline: Pipeline, scope: RunScope, store: RunStore): Promise<RunOutcome> {
  const results = new Map<Step, unknown>();
  for (const [seq, step] of pipeline.steps.entries()) {
    if (scope.signal.aborted) return stopped(scope.signal, undefined, results);
    const ctx = createStepContext(scope, step, results);
    const started = performance.now();
    store.startStep(scope.runId, seq, step.name);
    try {
      results.set(step, await step.run(ctx));
      const durationMs = Math.round(performance.now() - started);
      store.finishStep(scope.runId, seq, 'succeeded', durationMs);
      ctx.log.info({ durationMs }, 'step succeeded');
    } catch (thrown) {
      const durationMs = Math.round(performance.now() - started);
      const outcome = scope.signal.aborted
        ? stopped(scope.signal, step.name, results)
        : failed(RailyardError.from(thrown, { step: step.name, project: scope.project }), step.name, results, scrubber(scope.env.secrets));
      const error = outcome.error ?? { step: step.name, code: 'UNEXPECTED', message: 'failed' };
      store.finishStep(scope.runId, seq, outcome.status, durationMs, { code: error.code, message: error.message });
      if (outcome.status === 'failed') ctx.log.error({ err: thrown, code: error.code, durationMs }, 'step failed');
      else ctx.log.warn({ code: error.code, durationMs }, 'step stopped');
      return outcome;
    }
  }
  return { status: 'succeeded', error: undefined, results };
}

/** The stored message is masked as log lines are: a step's message may quote a secret (issue 12). */
function failed(error: RailyardError, step: string, results: ReadonlyMap<Step, unknown>, scrub: (text: string) => string): RunOutcome {
  return { status: 'failed', error: { step, code: error.code, message: scrub(error.userMessage) }, results };
}

function stopped(signal: AbortSignal, step: string | undefined, results: ReadonlyMap<Step, unknown>): RunOutcome {
  const reason: unknown = signal.reason;
  const error = reason instanceof RailyardError ? reason : new RailyardError('RUN_CANCELLED', 'The run was cancelled');
  const status = error.code === 'RUN_INTERRUPTED' ? 'interrupted' : 'cancelled';
  return { status, error: { step, code: error.code, message: error.userMessage }, results };
}
