import { lstat, readdir, rename } from 'node:fs/promises';
import { RailyardError } from '../../core/errors.ts';

/**
 * Puts `fresh` in place of `current`, keeping the old tree as `previous`:
 * two renames in one folder, so each is atomic and a failed second rename is
 * undone. Returns `previous`, or undefined when there was no tree to keep.
 */
export async function swapIn(fresh: string, current: string, previous: string): Promise<string | undefined> {
  const existing = await lstat(current).catch(() => undefined);
  if (existing === undefined) {
    await rename(fresh, current);
    return undefined;
  }
  const kept = await freeName(previous);
  await rename(current, kept);
  try {
    await rename(fresh, current);
  } catch (error) {
    await rename(kept, current);
    throw new RailyardError('RESTORE_FAILED', `Could not move the restored tree into ${current}; it is unchanged`, { cause: error });
  }
  return kept;
}

/** `path`, or `path-2`, `path-3`… when taken (two restores within a second). */
async function freeName(path: string): Promise<string> {
  for (let n = 1; ; n += 1) {
    const name = n === 1 ? path : `${path}-${n}`;
    if ((await lstat(name).catch(() => undefined)) === undefined) return name;
  }
}

/** Throws USAGE unless `dir` is missing or an empty folder (what `--to` accepts). */
export async function checkFreeFolder(dir: string): Promise<void> {
  const info = await lstat(dir).catch(() => undefined);
  if (info === undefined) return;
  if (!info.isDirectory() || (await readdir(dir)).length > 0) {
    throw new RailyardError('USAGE', `--to ${dir} must be a new or empty folder`);
  }
}
