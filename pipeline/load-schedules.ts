import type { Schedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import { checkDb } from '../config/load-db.ts';
import { formatProblem } from '../config/problem.ts';
import type { DbLocation } from '../config/stack.ts';
import { readDbText } from './clone-lock.ts';
import { isRailyardError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

/**
 * The `schedules` of db.yml, or undefined when db.yml is missing or invalid
 * (logged). The caller keeps what it had: with REPO_URL set, the default
 * `reconcile` must keep pulling, or the commit that fixes the file (or the
 * first clone) never arrives.
 */
export async function loadSchedules(env: Env, db: DbLocation, log: Logger): Promise<Schedules | undefined> {
  try {
    const result = checkDb(await readDbText(env, db), db.label, env.vars);
    if (result.ok) return result.config.schedules;
    log.warn({ file: db.label, problems: result.problems.length, first: formatProblem(result.problems[0]!) }, 'db.yml is invalid: its schedules are not taken');
  } catch (error) {
    if (!isRailyardError(error)) throw error;
    log.warn({ file: db.label, code: error.code }, 'db.yml not read: its schedules are not taken');
  }
  return undefined;
}
