import type { Trigger } from './types.ts';

/** A queued run as the project queue holds it. */
export interface Job {
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
 * Merges a new job into the pending one of the same project: the new job's run
 * takes over with the widest scope of both, the newest commit and trigger (its
 * meta on top of the older one's), and the pipelines merged by `mergePipelines`.
 */
export function coalesce(pending: Job, incoming: Job, mergePipelines: (older: string, newer: string) => string): Job {
  const [older, newer] = incoming.order >= pending.order ? [pending, incoming] : [incoming, pending];
  const commit = newer.trigger.commit ?? older.trigger.commit;
  // Flags such as `pull` survive: the merged job does what each trigger asked.
  const meta = older.trigger.meta || newer.trigger.meta ? { ...older.trigger.meta, ...newer.trigger.meta } : undefined;
  return {
    runId: incoming.runId,
    project: incoming.project,
    pipeline: mergePipelines(older.pipeline, newer.pipeline),
    service: pending.service === incoming.service ? incoming.service : undefined,
    trigger: { ...newer.trigger, ...(commit !== undefined && { commit }), ...(meta && { meta }) },
    configHash: newer.configHash ?? older.configHash,
    order: newer.order,
  };
}
