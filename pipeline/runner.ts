import type { Env } from '../config/env.ts';
import { checkRequest, insertRequest } from './admit.ts';
import { RailyardError } from '../core/errors.ts';
import { executeJob } from './execute-job.ts';
import { coalesce, jobOf, type Job } from './job.ts';
import type { Logger } from '../core/logger.ts';
import { ProjectQueue } from './project-queue.ts';
import { interruptRun, recoverRuns, type Interruption } from './recover.ts';
import type { PipelineRegistry } from './registry.ts';
import type { RunOutcome } from './run-pipeline.ts';
import type { RunError, RunRecord } from './run-record.ts';
import { isBusy, type RunStore } from './run-store.ts';
import type { Pipeline, Step } from './types.ts';
import { UnrecordedOutcomes } from './unrecorded.ts';
import type { Accepted, TriggerRequest } from '../core/types.ts';
import type { Clients } from '../runtime/docker.ts';

export interface RunnerOptions {
  readonly env: Env;
  readonly store: RunStore;
  readonly pipelines: PipelineRegistry;
  readonly clients: Clients;
  /** Runner-level messages (recovery, adoption). */
  readonly log: Logger;
  /** Where run loggers write (besides the store). @default process.stderr */
  readonly logDestination?: NodeJS.WritableStream;
  /** How often runs queued by other processes (`railyard apply` while serving) are picked up. @default 500 */
  readonly pollMs?: number;
  /**
   * Told of every run that finished succeeded or failed, after its outcome is
   * committed (notifications). Called synchronously on the runner's path: it
   * must return at once and do its work later; what it throws is logged.
   */
  readonly onFinished?: (run: RunRecord, outcome: RunOutcome) => void;
}

const PRUNE_EVERY_MS = 10 * 60_000;
/** How long an aborted run may take to stop before `stop` gives up on it. */
const ABANDON_AFTER_MS = 1000;
/** How long start-up waits for the store's write lock before leaving recovery to the poll. */
const START_WAIT_MS = 1000;
/** The longest wait between two polls (or two writes of a refused outcome) of a store that keeps failing. */
const MAX_POLL_MS = 10_000;

/**
 * The one runner: every trigger (webhook, /update-upstream, CLI, schedule)
 * goes through `trigger`, which commits the run to the store before it
 * returns. Jobs of one project never overlap, a newer trigger merges into the
 * pending job, and at most `env.concurrency` jobs run at once (queueKey says
 * which jobs share a queue).
 * One process runs a given store's runner: take `acquireRunnerLock` first.
 */
export class Runner {
  readonly #options: RunnerOptions;
  readonly #store: RunStore;
  readonly #queue: ProjectQueue<Job>;
  readonly #shutdown = new AbortController();
  readonly #controllers = new Map<string, AbortController>();
  /** Runs `stop` recorded interrupted while a step still ran: their late outcome is dropped. */
  readonly #abandoned = new Set<string>();
  #env: Env;
  #poll: NodeJS.Timeout | undefined;
  #pollDelay = 0;
  #stopped = false;
  /** Since when polls found the store locked by another connection. */
  #busySince: number | undefined;
  #recovered = false;
  #finished: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Runs that ended but whose outcome the store refused (a full disk): written as failed once it takes writes. */
  readonly #unrecorded: UnrecordedOutcomes;
  #lastPrune = 0;

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#env = options.env;
    this.#unrecorded = new UnrecordedOutcomes(options.store, options.log, MAX_POLL_MS);
    this.#queue = new ProjectQueue<Job>({
      concurrency: options.env.concurrency,
      execute: (job) => this.#execute(job),
      onError: (error, job) => options.log.error({ err: error, runId: job.runId }, 'runner error'),
    });
  }

  /** Accepts a trigger. When this returns, the run is in the store (or the delivery was a duplicate). */
  trigger(request: TriggerRequest): Accepted {
    checkRequest(this.#options.pipelines, request);
    const planned = new Map<string, Job>();
    const accepted = this.#store.transaction(() => this.#admit(request, planned));
    for (const job of planned.values()) this.#queue.put(job);
    return accepted;
  }

  /** Swaps the environment runs get from now on (SIGHUP); running runs keep theirs, the concurrency stays. */
  setEnv(env: Env): void {
    this.#options.pipelines.check(env);
    this.#env = env;
  }

  /** Recovers what a previous process left behind, then starts running jobs. */
  start(): Interruption[] {
    this.#options.pipelines.check(this.#env);
    let interrupted: Interruption[] = [];
    try {
      // A short look first: the busy timeout would hold start-up 5 s per write.
      if (!this.#store.writable(START_WAIT_MS)) throw Object.assign(new Error('the run store is locked by another process'), { code: 'SQLITE_BUSY' });
      interrupted = this.#catchUp();
      this.#prune();
    } catch (error) {
      // Another process holds the store's write lock: recovery and adoption wait for the poll (issue 12).
      if (!isBusy(error) && !isBusy((error as { cause?: unknown }).cause)) throw error;
      this.#busySince = Date.now();
      this.#options.log.warn({ err: error, busy: true }, 'run store busy at start: interrupted runs are recovered and queued runs picked up once it answers');
    }
    this.#queue.start();
    this.#pollDelay = this.#options.pollMs ?? 500;
    this.#schedulePoll();
    return interrupted;
  }

  /** Whether another connection held the store's write lock at the last look (start or poll). */
  get storeBusy(): boolean {
    return this.#busySince !== undefined;
  }

  /** Cancels a queued or running run; false when it is neither. */
  cancel(runId: string): boolean {
    const running = this.#controllers.get(runId);
    if (running !== undefined) {
      running.abort(new RailyardError('RUN_CANCELLED', `Run ${runId} was cancelled`));
      return true;
    }
    const job = this.#queue.jobs().find((j) => j.runId === runId);
    if (job === undefined || this.#queue.pending(job.key) !== job) return false;
    this.#queue.take(job.key);
    this.#store.finishRun(runId, 'cancelled', { step: undefined, code: 'RUN_CANCELLED', message: `Run ${runId} was cancelled` });
    return true;
  }

  /** Resolves when no job is running or pending. */
  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }

  /**
   * Stops starting jobs. With `drain`, running jobs finish; without, they are
   * aborted, recorded `interrupted` and queued again for the next start.
   * Pending jobs stay queued in the store either way. A run whose step does not
   * stop within `abandonAfterMs` of the abort is recorded interrupted (and its
   * retry queued) all the same, so a step that ignores the signal cannot hold
   * a shutdown past SHUTDOWN_GRACE; its late outcome is dropped.
   */
  async stop(options: { readonly drain?: boolean; /** @default 1000 */ readonly abandonAfterMs?: number } = {}): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#poll);
    this.#unrecorded.stop();
    this.#queue.pause();
    if (options.drain === true) return this.#queue.onIdle();
    this.#shutdown.abort(new RailyardError('RUN_INTERRUPTED', 'railyard was stopped during the run'));
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      this.#queue.onIdle().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), options.abandonAfterMs ?? ABANDON_AFTER_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!stopped) this.#abandonRunning();
  }

  #abandonRunning(): void {
    for (const runId of this.#controllers.keys()) {
      const run = this.#store.getRun(runId);
      if (run?.status !== 'running') continue;
      this.#abandoned.add(runId);
      const { retryId } = interruptRun(this.#store, run, true, 'railyard was stopped during the run and a step did not stop');
      this.#options.log.warn({ runId, retryId }, 'run abandoned: a step did not stop when aborted');
    }
  }

  /** Writes one request (inside a transaction) and merges it into its project's pending job. */
  #admit(request: TriggerRequest, planned: Map<string, Job>): Accepted {
    const inserted = insertRequest(this.#store, this.#options.pipelines, request);
    if (inserted.duplicate) return inserted.accepted;
    const { run } = inserted;
    const job = this.#merge(this.#jobOf(run), planned);
    const absorbed = job.runId !== run.id;
    return {
      runId: run.id, project: run.project, service: run.service, duplicate: false,
      status: absorbed ? 'superseded' : 'queued', ...(absorbed && { supersededBy: job.runId }),
    };
  }

  /**
   * Merges `incoming` into its project's pending job, when there is one: the
   * pending run absorbs it (incoming is recorded superseded by it) and the
   * merged job is planned as the new pending job. O(1) writes per trigger.
   */
  #merge(incoming: Job, planned: Map<string, Job>): Job {
    const pending = planned.get(incoming.key) ?? this.#queue.pending(incoming.key);
    const job = pending === undefined ? incoming : coalesce(pending, incoming, (a, b) => this.#options.pipelines.merge(a, b));
    if (pending !== undefined) {
      this.#store.supersede(incoming.runId, job.runId);
      this.#store.updateQueued(job.runId, { ...job, commit: job.trigger.commit });
    }
    planned.set(job.key, job);
    return job;
  }

  /**
   * Picks up queued runs this runner does not hold: left by a previous
   * process, queued by the CLI, or journaled by serve's HTTP thread (which
   * calls this when it committed one, rather than waiting for the poll).
   */
  adopt(): void {
    const held = new Set(this.#queue.jobs().map((j) => j.runId));
    // A read first (WAL: it waits for no lock): the write lock is taken only when there is something to adopt.
    if (this.#store.runsWithStatus('queued').every((run) => held.has(run.id))) return;
    const planned = new Map<string, Job>();
    this.#store.transaction(() => {
      for (const run of this.#store.runsWithStatus('queued')) {
        if (held.has(run.id)) continue;
        if (this.#options.pipelines.get(run.pipeline) === undefined) {
          this.#store.finishRun(run.id, 'failed', { step: undefined, code: 'UNEXPECTED', message: `Unknown pipeline "${run.pipeline}"` });
          continue;
        }
        this.#merge(this.#jobOf(run), planned);
      }
    });
    for (const job of planned.values()) this.#queue.put(job);
  }

  /**
   * The poll for runs queued elsewhere. A store another process keeps locked
   * (SQLITE_BUSY after the busy timeout) or that fails otherwise is tried
   * again later, backing off to MAX_POLL_MS: the runner stays up (issue 12).
   */
  #schedulePoll(): void {
    this.#poll = setTimeout(() => {
      const base = this.#options.pollMs ?? 500;
      try {
        this.#catchUp();
        if (this.#busySince !== undefined) this.#options.log.info({ busyMs: Date.now() - this.#busySince }, 'run store writable again');
        this.#busySince = undefined;
        this.#pollDelay = base;
      } catch (error) {
        if (this.#stopped) return;
        if (this.#busySince === undefined) {
          this.#busySince = Date.now();
          this.#options.log.warn({ err: error, busy: isBusy(error) }, 'run store unavailable: queued runs are picked up once it answers');
        }
        this.#pollDelay = Math.min(this.#pollDelay * 2, MAX_POLL_MS);
      }
      if (!this.#stopped) this.#schedulePoll();
    }, this.#pollDelay).unref();
  }

  async #execute(job: Job): Promise<void> {
    const controller = new AbortController();
    this.#controllers.set(job.runId, controller);
    const pipeline = this.#options.pipelines.get(job.pipeline)!;
    await executeJob(job, {
      pipeline,
      env: this.#env,
      clients: this.#options.clients,
      store: this.#store,
      signal: AbortSignal.any([this.#shutdown.signal, controller.signal]),
      logDestination: this.#options.logDestination,
      finish: (outcome, commit) => {
        this.#controllers.delete(job.runId);
        this.#finish(job, pipeline, outcome, commit);
      },
    });
    if (Date.now() - this.#lastPrune > PRUNE_EVERY_MS) this.#prune();
  }

  /** Records the outcome, and commits the retry or follow-up runs with it. */
  #finish(job: Job, pipeline: Pipeline, outcome: RunOutcome, commit: string | undefined): void {
    if (this.#abandoned.delete(job.runId)) return;
    const planned = new Map<string, Job>();
    try {
      this.#store.transaction(() => {
        if (outcome.status === 'interrupted') {
          const { retryId } = interruptRun(this.#store, this.#store.getRun(job.runId)!, true, outcome.error?.message ?? 'interrupted');
          if (retryId !== undefined) this.#merge(this.#jobOf(this.#store.getRun(retryId)!), planned);
          return;
        }
        this.#store.finishRun(job.runId, outcome.status, outcome.error);
        if (outcome.status === 'succeeded') this.#queueFollowUps(job, pipeline, outcome, commit, planned);
      });
    } catch (error) {
      // Nothing of the transaction stuck: the run must not stay `running`.
      planned.clear();
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      if (outcome.status === 'succeeded' && pipeline.followUps !== undefined) {
        this.#options.log.error({ err: error, runId: job.runId }, 'follow-up runs not queued');
        this.#unrecorded.record(job.runId, { step: undefined, code: 'UNEXPECTED', message: `Could not queue the runs it asked for: ${why}` });
      } else {
        this.#options.log.error({ err: error, runId: job.runId, status: outcome.status }, 'run outcome not written: the store refused it');
        this.#unrecorded.record(job.runId, { step: outcome.error?.step, code: 'STORE_FAILED', message: `The run ended ${outcome.status} but the run store refused the outcome (${why})${outcome.error ? `: ${outcome.error.message}` : ''}` });
      }
    }
    for (const next of planned.values()) this.#queue.put(next);
    if (outcome.status !== 'interrupted') this.#report(job.runId, outcome);
    const woken = this.#wake;
    this.#wake = undefined;
    woken?.();
  }

  /** Resolves when the next run of this runner ends: a waiter on the store looks again then, not at its next poll. */
  nextFinish(): Promise<void> {
    this.#finished ??= new Promise<void>((resolve) => {
      this.#wake = () => {
        this.#finished = undefined;
        resolve();
      };
    });
    return this.#finished;
  }

  #report(runId: string, outcome: RunOutcome): void {
    if (this.#options.onFinished === undefined) return;
    try {
      const run = this.#store.getRun(runId);
      if (run !== undefined && (run.status === 'succeeded' || run.status === 'failed')) this.#options.onFinished(run, outcome);
    } catch (error) {
      this.#options.log.error({ err: error, runId }, 'finished run not reported');
    }
  }

  /** How a run ended when the store has not taken it yet (a full disk), else undefined. */
  unrecorded(runId: string): RunError | undefined {
    return this.#unrecorded.get(runId);
  }

  #queueFollowUps(job: Job, pipeline: Pipeline, outcome: RunOutcome, commit: string | undefined, planned: Map<string, Job>): void {
    if (pipeline.followUps === undefined) return;
    const resultOf = <R>(step: Step<string, R>): R => {
      if (!outcome.results.has(step)) throw new TypeError(`followUps of "${pipeline.name}" read "${step.name}", a step it does not run`);
      return outcome.results.get(step) as R;
    };
    for (const request of pipeline.followUps({ runId: job.runId, trigger: job.trigger, commit, resultOf, history: this.#store })) {
      checkRequest(this.#options.pipelines, request);
      this.#admit(request, planned);
    }
  }

  #jobOf(run: RunRecord): Job {
    return jobOf(run, this.#options.pipelines.get(run.pipeline)!);
  }

  /** Recovers interrupted runs once (before any run starts), then adopts the queued ones. */
  #catchUp(): Interruption[] {
    let interrupted: Interruption[] = [];
    if (!this.#recovered) {
      interrupted = recoverRuns(this.#store);
      this.#recovered = true;
      for (const { run, retryId } of interrupted) this.#options.log.warn({ runId: run.id, retryId }, 'interrupted run recovered');
    }
    this.adopt();
    return interrupted;
  }

  #prune(): void {
    this.#lastPrune = Date.now();
    const pruned = this.#store.prune({ keepDays: this.#env.runsKeepDays, keep: this.#env.runsKeep });
    if (pruned.runs > 0 || pruned.deliveries > 0) this.#options.log.info(pruned, 'run history pruned');
  }
}
