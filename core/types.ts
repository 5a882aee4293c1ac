// The run model shared by every layer: what starts a run, a run's states, and
// the answer to a trigger. The engine's step contract is pipeline/types.ts.

/** What started a run. */
export type TriggerKind = 'push' | 'workflow_job' | 'update-upstream' | 'api' | 'cli' | 'schedule' | 'recovery';

export interface Trigger {
  readonly kind: TriggerKind;
  /** Commit the trigger asked for (a push's `after`), when known. */
  readonly commit?: string;
  /** Free-form details: delivery id, sender, schedule name. Never secrets. */
  readonly meta?: Readonly<Record<string, unknown>>;
  /**
   * Set on a run that another run enqueued (a push's sync fanning out to the
   * changed projects): the parent already pulled, so the clone is reused.
   */
  readonly parentRunId?: string;
}

/** The project key of whole-stack runs (a push's sync). */
export const STACK = '*';

/** A request to run a pipeline: the one way in for webhooks, the API, the CLI and the scheduler. */
export interface TriggerRequest {
  readonly pipeline: string;
  /** A project name, or '*' for a stack pipeline. */
  readonly project: string;
  readonly service?: string | undefined;
  readonly trigger: Trigger;
  /** A webhook delivery: the same (hook, id) twice, even across restarts, is reported as a duplicate. */
  readonly delivery?: { readonly hook: string; readonly id: string };
  /** Hash of the project's config this run deploys; a push redeploys a project when it differs. */
  readonly configHash?: string;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'superseded' | 'cancelled' | 'interrupted';

/** Statuses a run never leaves. */
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'superseded', 'cancelled', 'interrupted'];

/** The answer to a trigger: its run is in the store when the caller gets this. */
export interface Accepted {
  readonly runId: string;
  readonly project: string;
  readonly service: string | undefined;
  readonly status: RunStatus;
  /** The delivery was seen before; `runId` is the run it created then. */
  readonly duplicate: boolean;
  /** When the project already had a pending run, which absorbed this trigger: that run does the work. */
  readonly supersededBy?: string;
}
