import { RailyardError } from '../core/errors.ts';
import type { Step, StepContext } from './types.ts';

/** What every step of one run shares: the step context without its per-step `resultOf` and `fail`. */
export type RunScope = Omit<StepContext, 'resultOf' | 'fail'>;

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
