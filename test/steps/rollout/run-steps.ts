// Runs real steps in order, in-process, the way the runner does (one context
// per step from createStepContext, results handed on), without the store or
// the queue. For step-level Docker tests of a temp stack root.
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import type { Env } from '../../../config/env.ts';
import { createLogger } from '../../../core/logger.ts';
import { createStepContext } from '../../../pipeline/step-context.ts';
import type { Step } from '../../../pipeline/types.ts';

export interface StepRun {
  readonly env: Env;
  readonly docker: Docker;
  /** The run's project, or '*' for the whole stack. */
  readonly project: string;
  readonly service?: string;
  /** `trigger.meta`, e.g. `{ pull: true }` for `apply --pull`. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface StepResults {
  get<R>(step: Step<string, R>): R;
}

/** Runs `steps` in order; the first failure rejects, as it fails a run. */
export async function runSteps(steps: readonly Step[], run: StepRun): Promise<StepResults> {
  const results = new Map<Step, unknown>();
  const scope = {
    runId: randomUUID(),
    pipeline: 'deploy',
    project: run.project,
    service: run.service,
    trigger: { kind: 'cli' as const, ...(run.meta !== undefined && { meta: run.meta }) },
    env: run.env,
    log: createLogger({ level: 'silent' }),
    signal: new AbortController().signal,
    clients: { docker: run.docker },
    recordCommit: () => undefined,
  };
  for (const step of steps) results.set(step, await step.run(createStepContext(scope, step, results)));
  return {
    get<R>(step: Step<string, R>): R {
      if (!results.has(step)) throw new Error(`step ${step.name} did not run`);
      return results.get(step) as R;
    },
  };
}
