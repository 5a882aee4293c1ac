import type { Env } from '../config/env.ts';
import type { Job } from './job.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { RunLog } from './run-log.ts';
import { runPipeline, type RunOutcome } from './run-pipeline.ts';
import type { RunStore } from './run-store.ts';
import type { Pipeline } from './types.ts';
import type { Clients } from '../runtime/docker.ts';

export interface ExecuteOptions {
  readonly pipeline: Pipeline;
  readonly env: Env;
  readonly clients: Clients;
  readonly store: RunStore;
  readonly signal: AbortSignal;
  /** Where the run's logger writes besides the store. @default process.stderr */
  readonly logDestination: NodeJS.WritableStream | undefined;
  /** Records the outcome; called before the run's last log line. */
  readonly finish: (outcome: RunOutcome, commit: string | undefined) => void;
}

/**
 * Runs one job: marks it running, gives it a logger whose lines also go to the
 * store (scrubbed of secrets, capped), runs the pipeline, and hands the outcome
 * and the commit the run recorded to `finish`.
 */
export async function executeJob(job: Job, options: ExecuteOptions): Promise<void> {
  const { env, store } = options;
  const runLog = new RunLog(store, job.runId);
  const log = createLogger({
    level: env.logLevel, secrets: env.secrets, tap: runLog.write,
    ...(options.logDestination !== undefined && { destination: options.logDestination }),
  }).child({ runId: job.runId, pipeline: job.pipeline, project: job.project, ...(job.service && { service: job.service }) });
  let commit = job.trigger.commit;
  bestEffort(log, 'run start not written', () => store.startRun(job.runId));
  log.info({ trigger: job.trigger.kind, commit }, 'run started');
  const scope = {
    ...job, env, log, clients: options.clients, signal: options.signal,
    recordCommit: (sha: string) => {
      commit = sha;
      bestEffort(log, 'run commit not written', () => store.setCommit(job.runId, sha));
    },
  };
  const outcome = await runPipeline(options.pipeline, scope, store).catch((error: unknown): RunOutcome => {
    log.error({ err: error }, 'runner error');
    return { status: 'failed', error: { step: undefined, code: 'UNEXPECTED', message: 'The runner failed; see the log' }, results: new Map() };
  });
  options.finish(outcome, commit);
  log.info({ status: outcome.status, error: outcome.error }, 'run finished');
  bestEffort(log, 'run log not written', () => runLog.flush());
}

/**
 * A store write the run can go on without (a full disk, a lock held
 * elsewhere): logged, not thrown, so the run still ends and is recorded.
 */
function bestEffort(log: Logger, what: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    log.error({ err: error }, what);
  }
}
