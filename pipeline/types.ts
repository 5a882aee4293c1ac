import type { Env } from '../config/env.ts';
import type { Clients } from '../runtime/docker.ts';
import type { ErrorCode, RailyardError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Trigger, TriggerRequest } from '../core/types.ts';

/** One named unit of a pipeline. The contract between the runner and the steps. */
export interface Step<Name extends string = string, Result = unknown> {
  readonly name: Name;
  /** Steps whose results this one reads; createPipeline checks they come first. */
  readonly needs?: readonly Step[];
  /**
   * Checks, once at start-up, that the environment is one this step can work
   * with; throws a RailyardError otherwise (a bad REPO_URL fails the start, not
   * the first run).
   */
  check?(env: Env): void;
  run(ctx: StepContext): Promise<Result>;
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
  /** Records the commit this run deploys on the run (shown in history and commit statuses). */
  recordCommit(commit: string): void;
}

/** A named list of steps; see createPipeline. */
export interface Pipeline {
  readonly name: string;
  /** `project`: one project (or one service of it); `stack`: the whole stack, project '*'. */
  readonly scope: 'project' | 'stack';
  readonly steps: readonly Step[];
  /** Added to the trigger meta of every run of this pipeline (e.g. `update` always pulls images). */
  readonly triggerMeta?: Readonly<Record<string, unknown>>;
  /**
   * Runs to enqueue when a run of this pipeline succeeds. They are committed to
   * the store together with the run's success, so a crash loses none.
   */
  followUps?(run: FinishedRun): readonly TriggerRequest[];
}

/** What followUps sees of a run that just succeeded. */
export interface FinishedRun {
  readonly runId: string;
  readonly trigger: Trigger;
  readonly commit: string | undefined;
  resultOf<R>(step: Step<string, R>): R;
  readonly history: DeployHistory;
}

/** What earlier runs handed to deploys, read when a push decides which projects to deploy. */
export interface DeployHistory {
  /** The config hash of the project's latest deploy, unless that deploy failed or was cancelled. */
  deployedHash(project: string): string | undefined;
  /** Projects that were ever deployed with a config hash (to notice removed ones). */
  deployedProjects(): readonly string[];
}
