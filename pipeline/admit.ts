import { NAME_PATTERN } from '../config/semantic-checks.ts';
import { RailyardError } from '../core/errors.ts';
import type { RunRecord } from './run-record.ts';
import type { RunStore } from './run-store.ts';
import type { PipelineRegistry } from './registry.ts';
import { STACK, type Accepted, type TriggerRequest } from '../core/types.ts';

/** Refuses a request the runner could never run: unknown pipeline, bad name, wrong scope. */
export function checkRequest(registry: PipelineRegistry, request: TriggerRequest): void {
  const pipeline = registry.get(request.pipeline);
  if (pipeline === undefined) throw new RailyardError('USAGE', `Unknown pipeline "${request.pipeline}"`);
  if (pipeline.scope === 'stack') {
    if (request.project !== STACK || request.service !== undefined) {
      throw new RailyardError('USAGE', `Pipeline "${pipeline.name}" runs for the whole stack (project "${STACK}", no service)`);
    }
    return;
  }
  for (const [what, name] of [['project', request.project], ['service', request.service]] as const) {
    if (name !== undefined && !NAME_PATTERN.test(name)) {
      throw new RailyardError('USAGE', `Invalid ${what} name ${JSON.stringify(name)}: use letters, digits, "_", "." and "-" (at most 63)`);
    }
  }
}

export type Insertion =
  | { readonly duplicate: false; readonly run: RunRecord }
  | { readonly duplicate: true; readonly accepted: Accepted };

/**
 * Writes a request as a `queued` run, with its webhook delivery when it has one;
 * a delivery seen before is answered with the run it created then. Call inside
 * a store transaction when other writes must commit with it.
 */
export function insertRequest(store: RunStore, registry: PipelineRegistry, request: TriggerRequest): Insertion {
  if (request.delivery !== undefined) {
    const seen = store.findDelivery(request.delivery.hook, request.delivery.id);
    if (seen !== undefined) {
      const run = seen.runId === undefined ? undefined : store.getRun(seen.runId);
      return {
        duplicate: true,
        accepted: {
          runId: seen.runId ?? '',
          project: run?.project ?? request.project,
          service: run?.service ?? request.service,
          // A delivery whose run was pruned ran long ago.
          status: run?.status ?? 'succeeded',
          duplicate: true,
          ...(run?.supersededBy !== undefined && { supersededBy: run.supersededBy }),
        },
      };
    }
  }
  const defaults = registry.get(request.pipeline)?.triggerMeta;
  const runId = store.insertRun({
    pipeline: request.pipeline,
    project: request.project,
    service: request.service,
    trigger: defaults === undefined ? request.trigger : { ...request.trigger, meta: { ...defaults, ...request.trigger.meta } },
    commit: request.trigger.commit,
    configHash: request.configHash,
  });
  if (request.delivery !== undefined) store.rememberDelivery(request.delivery.hook, request.delivery.id, runId);
  return { duplicate: false, run: store.getRun(runId)! };
}

/** Accepts a request into the store without a runner in this process (another process holds it). */
export function enqueueDurably(store: RunStore, registry: PipelineRegistry, request: TriggerRequest): Accepted {
  checkRequest(registry, request);
  const inserted = store.transaction(() => insertRequest(store, registry, request));
  if (inserted.duplicate) return inserted.accepted;
  const { run } = inserted;
  return { runId: run.id, project: run.project, service: run.service, status: run.status, duplicate: false };
}
