import { sep } from 'node:path';
import type { Env } from '../config/env.ts';
import { readDbFile } from '../config/load-db.ts';
import { cloneDir, type DbLocation } from '../config/stack.ts';

const locks = new Map<string, Promise<unknown>>();

/**
 * Serialises everything that touches one clone within this process (the stack
 * lock keeps other processes out): pulls of two projects' runs, and the reads
 * of db.yml, so no run reads a db.yml that a checkout is halfway through
 * writing, or one a later check will refuse (a symlink).
 */
export async function withCloneLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const current = (locks.get(dir) ?? Promise.resolve()).catch(() => undefined).then(fn);
  locks.set(dir, current);
  try {
    return await current;
  } finally {
    if (locks.get(dir) === current) locks.delete(dir);
  }
}

/** db.yml's text; the clone's is read under the clone's lock, so never during a checkout. */
export async function readDbText(env: Pick<Env, 'root'>, location: DbLocation): Promise<string> {
  const clone = cloneDir(env.root);
  const read = (): Promise<string> => readDbFile(location.path);
  return location.path.startsWith(`${clone}${sep}`) ? withCloneLock(clone, read) : read();
}
