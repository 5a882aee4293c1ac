import { lstat, realpath, rm } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { StepContext } from '../../pipeline/types.ts';

/**
 * After a checkout, db.yml must be a regular file inside the work tree: a
 * symlink (which could point at any file on the host) is removed and the run
 * fails before anything reads it.
 */
export async function checkDbFile(dir: string, ctx: Pick<StepContext, 'fail'>): Promise<void> {
  const path = join(dir, 'db.yml');
  const stat = await lstat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw ctx.fail('CONFIG_NOT_FOUND', 'The repository has no db.yml at its root', error);
    throw ctx.fail('CONFIG_UNREADABLE', `Cannot read db.yml in ${dir}`, error);
  });
  if (stat.isSymbolicLink() || !stat.isFile()) {
    await rm(path, { force: true, recursive: false }).catch(() => undefined);
    throw ctx.fail('GIT_UNSAFE_CHECKOUT', 'db.yml in the repository is a symlink or not a regular file; it must be a regular file');
  }
  const inside = relative(await realpath(dir), await realpath(path));
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw ctx.fail('GIT_UNSAFE_CHECKOUT', 'db.yml resolves to a file outside the repository');
  }
}
