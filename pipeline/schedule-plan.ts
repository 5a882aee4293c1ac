import { Cron } from 'croner';
import type { Schedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import { CRON_OPTIONS } from '../config/semantic-checks.ts';
import type { RunStore } from './run-store.ts';
import { STACK } from '../core/types.ts';

/** A db.yml schedule name. */
export type ScheduleName = keyof Schedules;

/** `reconcile`'s pattern when db.yml leaves it out and REPO_URL is set (issue 7). */
export const RECONCILE_DEFAULT = '*/10 * * * *';

/**
 * The pipeline each schedule triggers, and what its trigger says. `reconcile`
 * is a sync with `all`: pull, render, then deploy whatever drifted, the same
 * run as `railyard apply` without a project.
 */
export const SCHEDULED: Readonly<Record<ScheduleName, { readonly pipeline: string; readonly meta?: Readonly<Record<string, unknown>> }>> = {
  backup: { pipeline: 'backup' },
  'threat-report': { pipeline: 'threat-report' },
  reconcile: { pipeline: 'sync', meta: { all: true } },
};

/** One enabled schedule. */
export interface PlannedSchedule {
  readonly name: ScheduleName;
  readonly pipeline: string;
  readonly pattern: string;
  /** Trigger meta of its runs: `{ schedule: name }`, plus the pipeline's own (reconcile's `all`). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/**
 * The schedules that run: every one db.yml names, and `reconcile` every 10
 * minutes when REPO_URL is set and db.yml does not say (`reconcile: false`
 * turns it off). A schedule left out is off.
 */
export function planSchedules(schedules: Schedules, env: Pick<Env, 'repoUrl'>): PlannedSchedule[] {
  const patterns: Partial<Record<ScheduleName, string | false>> = {
    ...(env.repoUrl !== undefined && { reconcile: RECONCILE_DEFAULT }),
    ...schedules,
  };
  return (Object.keys(SCHEDULED) as ScheduleName[]).flatMap((name) => {
    const pattern = patterns[name];
    if (pattern === undefined || pattern === false) return [];
    const { pipeline, meta } = SCHEDULED[name];
    return [{ name, pipeline, pattern, meta: { ...meta, schedule: name } }];
  });
}

/** A croner job for a schedule; without `fn`, one that only computes times. */
export function cronOf(pattern: string, fn?: () => void): Cron {
  return fn === undefined ? new Cron(pattern, CRON_OPTIONS) : new Cron(pattern, CRON_OPTIONS, fn);
}

/** What catch-up decided for one schedule, with the times it read (logged). */
export interface CatchUp {
  readonly due: boolean;
  /** Since when a tick counts as missed: the last success's start, or the stack's first run. */
  readonly since: number | undefined;
  /** The first tick after `since`: missed when it is not after `now`. */
  readonly missed: number | undefined;
}

/**
 * Whether a schedule missed a tick while nothing ran it (the host was down):
 * a tick fell between the start of its last successful run and now. For a
 * regular schedule this is "the last success is older than the period"; for an
 * irregular one (weekdays only) a weekend is not a missed tick. A run covers
 * the ticks before it started, so its start counts, not its end.
 *
 * A schedule that never succeeded counts from the stack's first stored run: a
 * new stack does not fire every schedule at its first start, but one that has
 * run for a while without a backup gets one now.
 */
export function catchUp(plan: PlannedSchedule, store: RunStore, now: number): CatchUp {
  const last = store.lastSucceeded(plan.pipeline, STACK);
  const since = last === undefined ? store.firstRunAt() : (last.startedAt ?? last.createdAt);
  if (since === undefined) return { due: false, since, missed: undefined };
  const missed = cronOf(plan.pattern).nextRun(new Date(since))?.getTime();
  return { due: missed !== undefined && missed <= now, since, missed };
}
