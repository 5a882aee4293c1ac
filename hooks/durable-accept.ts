import { checkRequest, insertRequest, type Insertion } from '../pipeline/admit.ts';
import { groupCommit } from '../pipeline/group-commit.ts';
import type { PipelineRegistry } from '../pipeline/registry.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import type { Pipeline } from '../pipeline/types.ts';
import type { Accepted, TriggerRequest } from '../core/types.ts';

/** What the HTTP thread knows of a pipeline: enough to check a trigger and journal it. */
export type PipelineShapes = Readonly<Record<string, { readonly scope: Pipeline['scope']; readonly triggerMeta?: Readonly<Record<string, unknown>> }>>;

/** The pipelines the endpoint triggers. */
export const HTTP_PIPELINES = ['deploy', 'update', 'sync'] as const;

/** The shapes of `names` in a registry (plain data: it crosses to the HTTP thread). */
export function describePipelines(registry: PipelineRegistry, names: readonly string[] = HTTP_PIPELINES): PipelineShapes {
  return Object.fromEntries(names.flatMap((name) => {
    const pipeline = registry.get(name);
    return pipeline === undefined ? [] : [[name, { scope: pipeline.scope, ...(pipeline.triggerMeta && { triggerMeta: pipeline.triggerMeta }) }]];
  }));
}

/** A registry over shapes: it checks and journals triggers; the runner, in the other thread, runs them. */
export function shapeRegistry(shapes: PipelineShapes): PipelineRegistry {
  return {
    get: (name) => {
      const shape = shapes[name];
      return shape && { name, steps: [], ...shape };
    },
    merge: () => {
      throw new TypeError('The HTTP thread journals triggers; the runner merges them');
    },
    check: () => undefined,
  };
}

/**
 * Journals triggers through the HTTP thread's own store connection, with group
 * commit (issue 6, P3): the triggers of one event-loop turn share one
 * transaction, so one fsync answers many, and each caller is answered after
 * the commit that holds its run. A repeated webhook delivery is answered with
 * the run it created. `onCommit` tells the runner there is work to adopt.
 */
export function durableAccept(store: RunStore, registry: PipelineRegistry, onCommit: () => void): (request: TriggerRequest) => Promise<Accepted> {
  return groupCommit((requests: readonly TriggerRequest[]) => {
    const refused = requests.map((request): Error | undefined => {
      const checked = attempt(() => checkRequest(registry, request));
      return checked instanceof Error ? checked : undefined;
    });
    const insert = (request: TriggerRequest): Accepted => accepted(insertRequest(store, registry, request));
    let results: (Accepted | Error)[];
    try {
      results = whenUnlocked(() => store.transaction(() => requests.map((request, i) => refused[i] ?? insert(request))));
    } catch {
      // One request failed inside the shared transaction and nothing of it stuck: one transaction each, so it takes nothing else with it.
      results = requests.map((request, i) => refused[i] ?? attempt(() => whenUnlocked(() => store.transaction(() => insert(request)))));
    }
    if (results.some((r) => !(r instanceof Error) && !r.duplicate)) onCommit();
    return results;
  });
}

function accepted(inserted: Insertion): Accepted {
  if (inserted.duplicate) return inserted.accepted;
  const { run } = inserted;
  return { runId: run.id, project: run.project, service: run.service, status: run.status, duplicate: false };
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Retry every this many ms while another connection holds the write lock. */
const RETRY_MS = 0.1;
/** Give up (and answer 503) after this long. */
const LOCK_WAIT_MS = 5000;

/**
 * Runs `fn` (a write transaction), retrying while another connection (the
 * runner's, in the main thread) holds the write lock. The store of the HTTP
 * thread is opened with no busy timeout, so the wait is in steps of 0.1 ms
 * rather than SQLite's 1, 2, 5, 10... ms sleeps: a lock held for half a
 * millisecond costs about that, not 3 ms or more.
 */
export function whenUnlocked<T>(fn: () => T): T {
  const deadline = performance.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      return fn();
    } catch (error) {
      const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
      if (!busy || performance.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, RETRY_MS);
    }
  }
}

function attempt<T>(fn: () => T): T | Error {
  try {
    return fn();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
