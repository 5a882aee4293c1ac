// Shared by the backup and restore tests: stack roots with an upstream/ tree,
// a byte-for-byte description of a tree, and the backup steps run with the
// real step context (no runner) where a test needs to act between steps.
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadEnv, type Env } from '../../../config/env.ts';
import { createLogger } from '../../../core/logger.ts';
import { createRegistry, type PipelineRegistry } from '../../../pipeline/registry.ts';
import { createStepContext } from '../../../pipeline/step-context.ts';
import { type Step } from '../../../pipeline/types.ts';
import { STACK } from '../../../core/types.ts';
import { type Clients } from '../../../runtime/docker.ts';
import { backupPipeline } from '../../../steps/backup/index.ts';

/** File contents by path under upstream/; `{ link }` makes a symlink. */
export type TreeSpec = Record<string, string | Buffer | { readonly link: string }>;

export async function tempDir(prefix = 'railyard-backup-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A stack root whose upstream/ holds `files`. */
export async function stackWith(files: TreeSpec, root?: string): Promise<string> {
  const dir = root ?? (await tempDir());
  await writeTree(join(dir, 'upstream'), files);
  return dir;
}

export async function writeTree(base: string, files: TreeSpec): Promise<void> {
  await mkdir(base, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    const full = join(base, path);
    await mkdir(dirname(full), { recursive: true });
    if (typeof content === 'object' && 'link' in content) await symlink(content.link, full);
    else await writeFile(full, content);
  }
}

/** Every entry under `dir`: type, mode, and content hash or link target. Two equal descriptions are equal trees. */
export async function describeTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const info = await lstat(join(dir, path));
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isDirectory()) {
        out[path] = `dir ${mode}`;
        await walk(path);
      } else if (info.isSymbolicLink()) out[path] = `link -> ${await readlink(join(dir, path))}`;
      else out[path] = `file ${mode} ${createHash('sha256').update(await readFile(join(dir, path))).digest('hex')}`;
    }
  };
  await walk('');
  return out;
}

/** The environment of a stack root, quiet, with `environ` on top. */
export function envFor(root: string, environ: Readonly<Record<string, string>> = {}): Env {
  return loadEnv({ root, environ: { LOG_LEVEL: 'silent', ...environ } });
}

/** A registry with the backup pipeline, for tests that run it through a real runner. */
export function backupRegistry(): PipelineRegistry {
  return createRegistry([backupPipeline]);
}

/**
 * Runs steps in order with the real step context (what the runner builds),
 * returning each step's result. `between` runs after each step, so a test can
 * interfere between two steps.
 */
export async function runSteps(
  env: Env,
  steps: readonly Step[],
  between?: (step: Step, result: unknown) => Promise<void>,
): Promise<Map<Step, unknown>> {
  const results = new Map<Step, unknown>();
  const log = createLogger({ level: 'silent' });
  for (const step of steps) {
    const ctx = createStepContext({
      runId: '1', pipeline: 'backup', project: STACK, service: undefined, trigger: { kind: 'cli' }, env, log,
      signal: new AbortController().signal, clients: {} as Clients, recordCommit: () => undefined,
    }, step, results);
    results.set(step, await step.run(ctx));
    await between?.(step, results.get(step));
  }
  return results;
}
