import type { Env } from '../config/env.ts';
import { RailyardError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Clients, Step, StepContext, Trigger } from './types.ts';

/** What every step of one run shares. */
export interface RunScope {
  readonly runId: string;
  readonly pipeline: string;
  readonly project: string;
  readonly service: string | undefined;
  readonly trigger: Trigger;
  readonly env: Env;
  /** The run's logger, bound to { runId, pipeline, project }. */
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly clients: Clients;
  recordCommit(commit: string): void;
}

/** Builds the context one step runs with: its own child logger, its `resultOf` and `fail`. */
export function createStepContext(scope: RunScope, step: Step, results: ReadonlyMap<Step, unknown>): StepContext {
  const needs = step.needs ?? [];
  return {
    ...scope,
    log: scope.log.child({ step: step.name }),
    resultOf<R>(need: Step<string, R>): R {
      if (!needs.includes(need) || !results.has(need)) {
        // A bug in the step's declaration, not in the user's config.
        throw new RailyardError('UNEXPECTED', `step "${step.name}" read the result of "${need.name}" without listing it in needs`, {
          step: step.name,
          project: scope.project,
        });
      }
      return results.get(need) as R;
    },
    fail(code, userMessage, cause) {
      return new RailyardError(code, userMessage, { cause, step: step.name, project: scope.project });
    },
  };
}
