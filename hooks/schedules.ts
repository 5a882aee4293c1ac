import type { Schedules as DbSchedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../pipeline/logger.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import type { Runner } from '../pipeline/runner.ts';
import { startScheduler, type Scheduler } from '../pipeline/scheduler.ts';

/** The scheduler of `serve`, restarted when a reload changes the schedules. */
export interface Schedules {
  /** (Re)starts the scheduler when db.yml's schedules or REPO_URL changed. */
  update(env: Env, log: Logger, schedules: DbSchedules | undefined): void;
  stop(): void;
}

/**
 * Runs db.yml's `schedules` (pipeline/scheduler.ts), started after the runner.
 * While db.yml was never valid the schedules are empty, which still runs the
 * default `reconcile` when REPO_URL is set: the commit that fixes db.yml (or
 * the first clone) must still arrive.
 */
export function startSchedules(enabled: boolean, deps: { readonly runner: Runner; readonly store: RunStore }): Schedules {
  let scheduler: Scheduler | undefined;
  let key: string | undefined;
  return {
    update(env, log, schedules = {}) {
      if (!enabled) return;
      const next = JSON.stringify([schedules, env.repoUrl ?? null]);
      if (next === key) return;
      scheduler?.stop();
      key = next;
      scheduler = startScheduler({ env, log, runner: deps.runner, store: deps.store, config: { schedules } });
    },
    stop() {
      enabled = false;
      scheduler?.stop();
      scheduler = undefined;
    },
  };
}
