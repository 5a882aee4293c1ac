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
