import type { Schedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import type { DbLocation } from '../config/stack.ts';
import { fileSignature } from '../config/load-db.ts';
import { loadSchedules } from './load-schedules.ts';
import type { Logger } from '../core/logger.ts';
import { startScheduler, type Scheduler, type SchedulerOptions } from './scheduler.ts';

export interface LiveSchedulesOptions extends Pick<SchedulerOptions, 'runner' | 'store' | 'now'> {
  readonly env: Env;
  readonly log: Logger;
  readonly db: DbLocation;
  /** How often db.yml is checked for a new version. @default 5000 */
  readonly pollMs?: number;
}

export interface LiveSchedules {
  /** A new environment (SIGHUP): REPO_URL decides the default reconcile, and maybe which db.yml is read. */
  update(env: Env, db: DbLocation): Promise<void>;
  /** The next tick of each enabled schedule, soonest first. */
  next(): ReturnType<Scheduler['next']>;
  stop(): void;
}

/**
 * db.yml's schedules, kept current: the file is checked every few seconds (a
 * push's checkout or an edit replaces it) and the scheduler restarted when
 * its schedules or REPO_URL changed. A missing or invalid db.yml keeps the
 * last valid schedules (none at first, which still runs the default
 * `reconcile` when REPO_URL is set).
 */
export async function startLiveSchedules(options: LiveSchedulesOptions): Promise<LiveSchedules> {
  let { env, db } = options;
  let schedules: Schedules = {};
  let scheduler: Scheduler | undefined;
  let key: string | undefined;
  let seen: string | undefined;
  let checking: Promise<void> | undefined;
  let stopped = false;

  const restart = (): void => {
    const next = JSON.stringify([schedules, env.repoUrl ?? null]);
    if (stopped || next === key) return;
    if (scheduler) options.log.info({ schedules, file: db.label }, 'schedules changed: scheduler restarted');
    scheduler?.stop();
    key = next;
    scheduler = startScheduler({ env, log: options.log, runner: options.runner, store: options.store, config: { schedules }, ...(options.now && { now: options.now }) });
  };
  const check = (): Promise<void> =>
    (checking ??= (async () => {
      const signature = await fileSignature(db.path);
      if (signature === seen) return;
      seen = signature;
      schedules = (await loadSchedules(env, db, options.log)) ?? schedules;
      restart();
    })().finally(() => {
      checking = undefined;
    }));

  await check();
  const timer = setInterval(() => {
    check().catch((error: unknown) => options.log.error({ err: error }, 'schedules not checked'));
  }, options.pollMs ?? 5000);
  timer.unref();
  return {
    async update(nextEnv, nextDb) {
      await checking; // a check under way reads the old file; the next one the new
      env = nextEnv;
      db = nextDb;
      seen = undefined;
      await check();
    },
    next: () => scheduler?.next() ?? [],
    stop() {
      stopped = true;
      clearInterval(timer);
      scheduler?.stop();
      scheduler = undefined;
    },
  };
}
