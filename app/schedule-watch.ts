import type { Schedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import { STACK } from '../core/types.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import { cronOf, planSchedules } from '../pipeline/schedule-plan.ts';
import { scheduleMissedEvent, type NotifyEvent } from './notify-events.ts';

/** How far behind a schedule is: ms since the tick after its last success (0 when not behind). */
export interface ScheduleLag {
  readonly name: string;
  readonly pattern: string;
  readonly since: number | undefined;
  /** The second tick after `since`: past it, two periods went by without a success. */
  readonly deadline: number | undefined;
  readonly lagMs: number;
}

/**
 * Each enabled schedule's lag. A schedule that never succeeded counts from the
 * stack's first run (as the scheduler's catch-up does): a new stack is not late.
 */
export function scheduleLags(schedules: Schedules, env: Pick<Env, 'repoUrl'>, runs: Pick<RunStore, 'lastSucceeded' | 'firstRunAt'>, now: number): ScheduleLag[] {
  return planSchedules(schedules, env).map((plan) => {
    const last = runs.lastSucceeded(plan.pipeline, STACK);
    const since = last === undefined ? runs.firstRunAt() : (last.startedAt ?? last.createdAt);
    const cron = cronOf(plan.pattern);
    const first = since === undefined ? undefined : cron.nextRun(new Date(since));
    const second = first === undefined || first === null ? undefined : cron.nextRun(first);
    const lagMs = first === undefined || first === null ? 0 : Math.max(0, now - first.getTime());
    return { name: plan.name, pattern: plan.pattern, since: last === undefined ? undefined : since, deadline: second?.getTime(), lagMs };
  });
}

/** The schedules whose last success is older than two periods: a `schedule-missed` event each. */
export function missedSchedules(schedules: Schedules, env: Pick<Env, 'repoUrl'>, runs: Pick<RunStore, 'lastSucceeded' | 'firstRunAt'>, now: number): NotifyEvent[] {
  return scheduleLags(schedules, env, runs, now)
    .filter((lag) => lag.deadline !== undefined && lag.deadline <= now)
    .map((lag) => scheduleMissedEvent(lag.name, lag.pattern, lag.since));
}
