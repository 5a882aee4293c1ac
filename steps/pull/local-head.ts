import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * The commit HEAD of the git repository at `root` points to, read straight from
 * `.git` (HEAD, the loose ref, else packed-refs), or undefined when `root` is not
 * a repository or has no commit yet. A run without a remote costs no git library
 * load (issue 17: the pull step took 50–70 ms with nothing to pull).
 */
export async function localHead(root: string): Promise<string | undefined> {
  const gitDir = await findGitDir(root);
  if (gitDir === undefined) return undefined;
  let head = (await text(join(gitDir, 'HEAD')))?.trim();
  for (let depth = 0; head?.startsWith('ref: ') && depth < 5; depth++) head = await resolveRef(gitDir, head.slice(5).trim());
  return head !== undefined && SHA.test(head) ? head : undefined;
}

/** `.git` is a folder, or (a worktree, a submodule) a file saying `gitdir: <path>`. */
async function findGitDir(root: string): Promise<string | undefined> {
  const dotGit = join(root, '.git');
  const stats = await stat(dotGit).catch(() => undefined);
  if (stats?.isDirectory()) return dotGit;
  if (!stats?.isFile()) return undefined;
  const pointer = /^gitdir: (.+)$/m.exec((await text(dotGit)) ?? '')?.[1]?.trim();
  return pointer === undefined ? undefined : isAbsolute(pointer) ? pointer : join(root, pointer);
}

async function resolveRef(gitDir: string, ref: string): Promise<string | undefined> {
  if (ref.includes('..')) return undefined;
  // A linked worktree keeps HEAD in its own folder and shared refs in the common one.
  const common = (await text(join(gitDir, 'commondir')))?.trim();
  const dirs = common === undefined ? [gitDir] : [gitDir, isAbsolute(common) ? common : join(gitDir, common)];
  for (const dir of dirs) {
    const loose = (await text(join(dir, ref)))?.trim();
    if (loose !== undefined) return loose;
  }
  for (const dir of dirs) {
    const packed = await text(join(dir, 'packed-refs'));
    const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
    if (line !== undefined) return line.slice(0, line.indexOf(' '));
  }
  return undefined;
}

async function text(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}
