import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RailyardError } from '../core/errors.ts';

export interface RunnerLock {
  release(): void;
}

/**
 * Takes the "one runner per stack root" lock, or returns undefined when another
 * process (or another runner in this one) holds it. The lock is an SQLite
 * exclusive transaction on `data/runner.lock`: the operating system drops it
 * when the process dies, so it can never outlive its holder.
 */
export function acquireRunnerLock(root: string): RunnerLock | undefined {
  const dir = join(root, 'data');
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'runner.lock'), { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw new RailyardError('STORE_FAILED', `Cannot take the runner lock in ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
