import { hash } from 'node:crypto';
import { join } from 'node:path';
import { codeStamp, fileStamp } from '../../config/code-stamp.ts';
import type { DbConfig } from '../../config/db-types.ts';
import type { NetworkPool } from '../../config/env.ts';
import { CacheFile } from '../../config/cache-file.ts';
import { ProjectMemo, type MemoEntry } from './project-memo.ts';
import type { RenderEnv } from './render-stack.ts';

const VERSION = 1;

/**
 * The settings of RenderEnv. Its `vars` (the whole process environment) reach
 * only the proxy, which is always rendered: the stack's .env stands for them.
 */
const RENDER_ENV = ['trustedIpsCidrs', 'letsencryptEmail', 'letsencryptStaging', 'traefikDomain', 'traefikAdmin', 'traefikWebAddress', 'traefikWebSecureAddress', 'dockerHost'] as const satisfies readonly (keyof RenderEnv)[];

/** Kept beside railyard.db in the root's `data/` folder. */
export function renderCacheFile(root: string): string {
  return join(root, 'data', 'render-cache.json');
}

/**
 * What every project's render shares besides its own inputs: the code, db.yml
 * without its projects (top-level keys), the environment the render reads, the
 * stack's .env, the network pool and the stack. The memo is dropped whole when it changes.
 */
export function memoKey(config: DbConfig, env: RenderEnv, networkPool: NetworkPool | undefined, stack: string, root: string): string {
  const { projects: _projects, ...shared } = config;
  const read = RENDER_ENV.map((name) => env[name] ?? null);
  return hash('sha1', JSON.stringify([VERSION, codeStamp(), shared, read, fileStamp(join(root, '.env')), networkPool ?? null, stack]), 'base64');
}

/**
 * The memo of a stack root, as the last render of that root left it (one per
 * root and process: `serve` and `worker` keep theirs in memory). An absent or
 * damaged file is an empty memo: everything is rendered. It holds each
 * project's rendered .env, so its files are the owner's only, like those.
 */
export async function loadMemo(root: string): Promise<ProjectMemo> {
  return new ProjectMemo(await CacheFile.open<MemoEntry>(renderCacheFile(root), VERSION));
}
