import type { Cron } from 'croner';
import type { Schedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../core/logger.ts';
import type { RunRecord } from './run-record.ts';
import type { RunStore } from './run-store.ts';
import type { Runner } from './runner.ts';
import { catchUp, cronOf, planSchedules, type PlannedSchedule, type ScheduleName } from './schedule-plan.ts';
import { STACK } from '../core/types.ts';

export interface SchedulerOptions {
  /** Reads `repoUrl`: `reconcile` defaults to every 10 minutes when it is set. */
  readonly env: Pick<Env, 'repoUrl'>;
  readonly log: Logger;
  /** Every scheduled run goes through it: the queue and the run store. */
  readonly runner: Pick<Runner, 'trigger'>;
  /** The runner's store: last successes (catch-up) and runs in flight (no overlap). */
  readonly store: RunStore;
  /** A loaded db.yml (or just its schedules). */
  readonly config: { readonly schedules: Schedules };
  /** The clock catch-up compares with; ticks follow the real clock. @default Date.now */
  readonly now?: () => number;
}

export interface Scheduler {
  /** Clears every timer. Runs already triggered stay queued in the runner. */
  stop(): void;
  /** The next tick of each enabled schedule, soonest first. */
  next(): { readonly name: ScheduleName; readonly at: Date }[];
}

/**
 * Starts the clock of issue 7: one croner timer per enabled schedule, and
 * nothing else. A tick triggers its pipeline through the runner for the whole
 * stack, unless the schedule's previous run is still queued or running (a
 * schedule never overlaps itself). At start-up, a schedule that missed a tick
 * while the host was down runs once, however many ticks it missed.
 * Start it after the runner (recovered runs count as in flight); stop it first.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { log } = options;
  const now = options.now ?? Date.now;
  const plans = planSchedules(options.config.schedules, options.env);
  for (const plan of plans) {
    const decision = catchUp(plan, options.store, now());
    if (!decision.due) continue;
    log.info({ schedule: plan.name, since: iso(decision.since), missed: iso(decision.missed) }, 'schedule missed a tick: catching up');
    fire(plan, options, { catchUp: true });
  }
  const jobs = new Map<ScheduleName, Cron>(plans.map((plan) => [plan.name, cronOf(plan.pattern, () => fire(plan, options))]));
  const scheduler: Scheduler = {
    stop() {
      for (const job of jobs.values()) job.stop();
      jobs.clear();
    },
    next() {
      return [...jobs]
        .flatMap(([name, job]) => {
          const at = job.nextRun();
          return at === null ? [] : [{ name, at }];
        })
        .sort((a, b) => a.at.getTime() - b.at.getTime());
    },
  };
  log.info({ schedules: scheduler.next().map(({ name, at }) => ({ name, next: at.toISOString() })) }, 'scheduler started');
  return scheduler;
}

/** One tick: triggers the schedule's pipeline unless its previous run is still in flight. Never throws (it runs on a timer). */
function fire(plan: PlannedSchedule, options: SchedulerOptions, extra: Readonly<Record<string, unknown>> = {}): void {
  const { log, store, runner } = options;
  try {
    const busy = inFlight(store, plan.pipeline);
    if (busy !== undefined) {
      log.info({ schedule: plan.name, runId: busy.id, status: busy.status }, 'schedule skipped: its previous run is still in flight');
      return;
    }
    const accepted = runner.trigger({ pipeline: plan.pipeline, project: STACK, trigger: { kind: 'schedule', meta: { ...plan.meta, ...extra } } });
    log.info({ schedule: plan.name, pipeline: plan.pipeline, runId: accepted.runId, ...extra }, 'scheduled run queued');
  } catch (error) {
    log.error({ err: error, schedule: plan.name }, 'scheduled run not queued');
  }
}

/** The whole-stack run of `pipeline` that is queued or running, if any (started by any trigger, or a recovery). */
function inFlight(store: RunStore, pipeline: string): RunRecord | undefined {
  const mine = (run: RunRecord): boolean => run.pipeline === pipeline && run.project === STACK;
  return store.runsWithStatus('running').find(mine) ?? store.runsWithStatus('queued').find(mine);
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
