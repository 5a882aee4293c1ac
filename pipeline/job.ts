import type { RunRecord } from './run-record.ts';
import { type Pipeline } from './types.ts';
import { STACK, type Trigger } from '../core/types.ts';

/** A queued run as the project queue holds it. */
export interface Job {
  /** The queue it waits in: its project, or for a whole-stack pipeline the pipeline (see queueKey). */
  readonly key: string;
  readonly runId: string;
  readonly pipeline: string;
  readonly project: string;
  /** One service of the project, or undefined for the whole project. */
  readonly service: string | undefined;
  /** The trigger the run answers; `commit` is the newest commit of every trigger it absorbed. */
  readonly trigger: Trigger;
  readonly configHash: string | undefined;
  /** When the trigger was accepted (its run id): a retry keeps the order of the run it retries. */
  readonly order: number;
}

/**
 * Merges a new job into the pending one of the same project: the pending run
 * absorbs it and takes the widest scope of both, the newest commit and trigger
 * (its meta on top of the older one's), and the pipelines merged by
 * `mergePipelines`. "Newest" is by acceptance order, so a retry of an old run
 * never wins over a trigger accepted after it.
 */
export function coalesce(pending: Job, incoming: Job, mergePipelines: (older: string, newer: string) => string): Job {
  const [older, newer] = incoming.order >= pending.order ? [pending, incoming] : [incoming, pending];
  const commit = newer.trigger.commit ?? older.trigger.commit;
  // Flags such as `pull` survive: the merged job does what each trigger asked.
  const meta = older.trigger.meta || newer.trigger.meta ? { ...older.trigger.meta, ...newer.trigger.meta } : undefined;
  return {
    key: pending.key,
    runId: pending.runId,
    project: pending.project,
    pipeline: mergePipelines(older.pipeline, newer.pipeline),
    service: pending.service === incoming.service ? incoming.service : undefined,
    trigger: { ...newer.trigger, ...(commit !== undefined && { commit }), ...(meta && { meta }) },
    configHash: newer.configHash ?? older.configHash,
    order: newer.order,
  };
}

/**
 * Jobs of one project share a queue, whatever their pipeline: they never
 * overlap, and they merge. Whole-stack pipelines (a push's sync, a backup, the
 * threat report) each get their own: a backup never waits for a sync, and a
 * sync never merges into a backup.
 */
export function queueKey(pipeline: Pipeline, project: string): string {
  return pipeline.scope === 'stack' ? `${STACK}${pipeline.name}` : project;
}

/** The job of a stored queued run. */
export function jobOf(run: RunRecord, pipeline: Pipeline): Job {
  return {
    key: queueKey(pipeline, run.project),
    runId: run.id,
    pipeline: run.pipeline,
    project: run.project,
    service: run.service,
    trigger: run.trigger,
    configHash: run.configHash,
    order: Number(run.retryOf ?? run.id),
  };
}
