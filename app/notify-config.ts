import type { Notification, Schedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import { checkDb, fileSignature } from '../config/load-db.ts';
import type { DbLocation } from '../config/stack.ts';
import { isRailyardError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { readDbText } from '../pipeline/clone-lock.ts';

/** The parts of db.yml the notifier reads. */
export interface NotifyConfig {
  readonly notifications: readonly Notification[];
  readonly schedules: Schedules;
}

/**
 * db.yml's notifications and schedules, read again only when the file
 * changed. A missing or invalid db.yml keeps the last valid ones (a bad push
 * must still be able to report its own failed run).
 */
export function notifyConfigSource(env: Env, db: DbLocation, log: Logger): () => Promise<NotifyConfig> {
  let seen: string | undefined;
  let config: NotifyConfig = { notifications: [], schedules: {} };
  let loading: Promise<NotifyConfig> | undefined;
  const load = async (): Promise<NotifyConfig> => {
    const signature = await fileSignature(db.path);
    if (signature === seen) return config;
    try {
      const result = checkDb(await readDbText(env, db), db.label, env.vars);
      if (result.ok) config = { notifications: result.config.notifications, schedules: result.config.schedules };
      else log.warn({ file: db.label, problems: result.problems.length }, 'db.yml is invalid: the last valid notifications are kept');
    } catch (error) {
      if (!isRailyardError(error)) throw error;
      log.warn({ file: db.label, code: error.code }, 'db.yml not read: the last valid notifications are kept');
    }
    seen = signature;
    return config;
  };
  // Callers at the same time share one read: none gets the config from before it.
  return () => (loading ??= load().finally(() => {
    loading = undefined;
  }));
}
