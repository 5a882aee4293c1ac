// Bare git repositories built at test time (no binary git objects are
// committed to railyard): a bare repo to serve plus a work tree to commit and
// push from, driven by the real git CLI (argv arrays, no shell).
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/** A file's content, `null` to delete it, or a symlink to create. */
export type FileSpec = string | null | { readonly symlink: string };

export interface TestRepo {
  /** Path of the bare repository, e.g. `<root>/config.git`. */
  readonly bare: string;
  /** Name to pass to `GitServer.url()`. */
  readonly name: string;
  /** Writes the files, commits and pushes; returns the new commit SHA. */
  commit(files: Readonly<Record<string, FileSpec>>, message?: string): Promise<string>;
  /** Amends the last commit with the files and force-pushes: history is rewritten. */
  forcePush(files: Readonly<Record<string, FileSpec>>, message?: string): Promise<string>;
}

const GIT_ENV = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'railyard test',
  GIT_AUTHOR_EMAIL: 'test@railyard.invalid',
  GIT_COMMITTER_NAME: 'railyard test',
  GIT_COMMITTER_EMAIL: 'test@railyard.invalid',
};

/** Creates `<root>/<name>` (bare) and a work tree beside it, on `branch`. */
export async function createTestRepo(root: string, name = 'config.git', branch = 'main'): Promise<TestRepo> {
  const bare = join(root, name);
  const work = join(root, `${name}.work`);
  const git = async (cwd: string, ...args: string[]): Promise<string> =>
    (await execa('git', args, { cwd, env: GIT_ENV, extendEnv: true })).stdout.trim();
  await mkdir(root, { recursive: true });
  await execa('git', ['init', '--quiet', '--bare', '--initial-branch', branch, bare], { env: GIT_ENV });
  await execa('git', ['init', '--quiet', '--initial-branch', branch, work], { env: GIT_ENV });
  await git(work, 'remote', 'add', 'origin', bare);

  const save = async (files: Readonly<Record<string, FileSpec>>, message: string, amend: boolean): Promise<string> => {
    for (const [path, spec] of Object.entries(files)) {
      const target = join(work, path);
      await rm(target, { force: true });
      if (spec === null) continue;
      await mkdir(dirname(target), { recursive: true });
      if (typeof spec === 'string') await writeFile(target, spec);
      else await symlink(spec.symlink, target);
    }
    await git(work, 'add', '--all');
    await git(work, 'commit', '--quiet', '--allow-empty', ...(amend ? ['--amend'] : []), '-m', message);
    await git(work, 'push', '--quiet', ...(amend ? ['--force'] : []), 'origin', `HEAD:refs/heads/${branch}`);
    return git(work, 'rev-parse', 'HEAD');
  };
  return {
    bare,
    name,
    commit: (files, message = 'update') => save(files, message, false),
    forcePush: (files, message = 'rewrite') => save(files, message, true),
  };
}
