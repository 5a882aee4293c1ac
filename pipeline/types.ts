import type Docker from 'dockerode';
import type { Env } from '../config/env.ts';
import type { ErrorCode, RailyardError } from './errors.ts';
import type { Logger } from './logger.ts';

/** One named unit of a pipeline. The contract between the runner and the steps. */
export interface Step<Name extends string = string, Result = unknown> {
  readonly name: Name;
  /** Steps whose results this one reads; createPipeline checks they come first. */
  readonly needs?: readonly Step[];
  run(ctx: StepContext): Promise<Result>;
}

/** What started a run. */
export type TriggerKind = 'push' | 'workflow_job' | 'update-upstream' | 'api' | 'cli' | 'schedule' | 'recovery';

export interface Trigger {
  readonly kind: TriggerKind;
  /** Commit the trigger asked for (a push's `after`), when known. */
  readonly commit?: string;
  /** Free-form details: delivery id, sender, schedule name. Never secrets. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** Clients shared by every step, built once so tests can point them at test servers. */
export interface Clients {
  /** dockerode client honouring DOCKER_HOST (only runtime/ calls it). */
  readonly docker: Docker;
}

export interface StepContext {
  readonly runId: string;
  readonly pipeline: string;
  /** The project the run is for (`proxy` for the Traefik stack), or '*' for a whole-stack run. */
  readonly project: string;
  /** Narrows the run to one service of the project, when set. */
  readonly service: string | undefined;
  readonly trigger: Trigger;
  readonly env: Env;
  /** Already bound to { runId, project, step }; lines also go to the run's stored log. */
  readonly log: Logger;
  /** Aborted on shutdown or cancellation. */
  readonly signal: AbortSignal;
  readonly clients: Clients;
  /** Typed result of an earlier step listed in `needs`. */
  resultOf<R>(step: Step<string, R>): R;
  /** Builds (does not throw) the error that fails this step. */
  fail(code: ErrorCode, userMessage: string, cause?: unknown): RailyardError;
}
