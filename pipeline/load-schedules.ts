import type { Schedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import { loadDb } from '../config/load-db.ts';
import { formatProblem } from '../config/problem.ts';
import type { DbLocation } from '../config/stack.ts';
import { isRailyardError } from './errors.ts';
import type { Logger } from './logger.ts';

/**
 * The `schedules` of db.yml, for a process that runs the scheduler without
 * otherwise reading db.yml (`railyard worker`). A missing or broken db.yml is
 * logged and read as no schedules rather than refusing to start: with
 * REPO_URL set, the default `reconcile` must keep pulling, or the commit that
 * fixes the file (or the first clone) never arrives.
 */
export async function loadSchedules(env: Env, db: DbLocation, log: Logger): Promise<{ readonly schedules: Schedules }> {
  try {
    const result = await loadDb(db.path, env.vars, db.label);
    if (result.ok) return result.config;
    log.warn({ file: db.label, problems: result.problems.length, first: formatProblem(result.problems[0]!) }, 'db.yml is invalid: its schedules are not run');
  } catch (error) {
    if (!isRailyardError(error)) throw error;
    log.warn({ file: db.label, code: error.code }, 'db.yml not read: its schedules are not run');
  }
  return { schedules: {} };
}
