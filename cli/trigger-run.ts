import type { Env } from '../config/env.ts';
import { enqueueDurably } from '../pipeline/admit.ts';
import type { Logger } from '../core/logger.ts';
import { PIPELINES } from '../app/pipelines.ts';
import type { RunRecord } from '../pipeline/run-record.ts';
import { RunStore, storePath } from '../pipeline/run-store.ts';
import { startRunner, type StartedRunner } from '../app/start-runner.ts';
import type { TriggerRequest } from '../core/types.ts';
import { waitForRun, type WaitOptions } from '../pipeline/wait-for-run.ts';
import { printJson } from './context.ts';
import { tailRunLogs } from './run-log-tail.ts';

export interface TriggerRunOptions {
  /** Queue the run and return; a running `worker` or `serve` runs it. */
  readonly detach?: boolean;
  readonly json?: boolean;
  /** Waits for the run; @default the run alone (apply also waits for the deploys it fans out to). */
  readonly wait?: (store: RunStore, runId: string, options: WaitOptions) => Promise<readonly RunRecord[]>;
}

/**
 * How every CLI command starts a pipeline: through the runner, so the run is in
 * the history. This process runs it when it can take the stack's lock;
 * otherwise the process holding the lock (`worker`, `serve`) picks it up from
 * the store. Returns the finished runs, or undefined with `--detach` (after
 * printing the queued run).
 */
export async function triggerRun(env: Env, log: Logger, request: TriggerRequest, options: TriggerRunOptions): Promise<readonly RunRecord[] | undefined> {
  PIPELINES.check(env);
  const started = options.detach ? undefined : startRunner({ env, log });
  const store = started?.store ?? RunStore.open(storePath(env.root));
  let runner = started;
  let takeover: NodeJS.Timeout | undefined;
  try {
    const accepted = started ? started.runner.trigger(request) : enqueueDurably(store, PIPELINES, request);
    if (options.detach) {
      if (options.json) printJson(accepted);
      else process.stdout.write(`run ${accepted.runId} queued\n`);
      return undefined;
    }
    const wait = options.wait ?? (async (s: RunStore, id: string, o: WaitOptions) => [await waitForRun(s, id, o)]);
    // Another process runs it: its log lines are in the store only, so they are streamed from there (to stderr, as this process's own logs).
    const tail = started ? undefined : tailRunLogs(store, accepted.runId, (text) => process.stderr.write(text));
    if (!started) {
      log.info({ runId: accepted.runId }, 'another railyard process runs this stack; it will run this trigger');
      // That process may end (another `apply` that finished its own run) before it took this one: then this one runs the stack.
      takeover = setInterval(() => {
        runner = tryStartRunner(env, log);
        if (runner === undefined) return;
        clearInterval(takeover);
        tail?.stop(); // this process's own log lines now, as a run it runs
        log.info({ runId: accepted.runId }, 'the process that ran this stack has ended: this one runs the queued runs');
      }, TAKEOVER_MS).unref();
    }
    // Says so when the work moved on: a newer trigger absorbed the run, or railyard restarted during it and retried it.
    const onFollow = (from: RunRecord, to: string): void => {
      log.info({ runId: from.id, status: from.status, next: to }, 'following the run that does the work');
      if (runner === undefined) tail?.follow(to);
    };
    // A run this process ran ends here even when the store refused its outcome (a full disk): no hang.
    const runs = await wait(store, accepted.runId, {
      onFollow, unrecorded: (id: string) => runner?.runner.unrecorded(id), wake: () => runner?.runner.nextFinish(),
    }).finally(() => tail?.stop());
    if (runs.some((run) => run.status !== 'succeeded')) process.exitCode = 1;
    return runs;
  } finally {
    clearInterval(takeover);
    if (runner) await runner.close({ drain: true });
    if (!started) store.close();
  }
}

/** How often a process waiting on another's runner tries to take the stack's runner lock. */
const TAKEOVER_MS = 1000;

function tryStartRunner(env: Env, log: Logger): StartedRunner | undefined {
  try {
    return startRunner({ env, log });
  } catch (error) {
    log.debug({ err: error }, 'runner lock not taken');
    return undefined;
  }
}
