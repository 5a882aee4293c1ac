import type { DbConfig } from '../../config/db-types.ts';
import { stackIdOf } from '../../runtime/containers.ts';
import { digestMounts, mountRequests } from './mount-digest.ts';
import { renderStack, type RenderEnv } from './render-stack.ts';
import type { RenderResult } from './types.ts';
import { writeFiles } from './write-files.ts';

export interface RenderToDiskOptions {
  /** The stack root: where mounted config files are read from. */
  readonly root: string;
  /** Where the files are written. @default root */
  readonly out?: string;
}

/** Reads what services mount, renders, then writes what changed. Shared by the step and the CLI. */
export async function renderToDisk(config: DbConfig, env: RenderEnv, options: RenderToDiskOptions): Promise<RenderResult> {
  const mountDigests = await digestMounts(options.root, mountRequests(config));
  const stack = renderStack(config, env, { mountDigests, stack: stackIdOf(options.root) });
  const out = options.out ?? options.root;
  const { changed } = await writeFiles(out, stack.files, stack.dirs);
  return { ...stack, root: out, changed, services: stack.projects.flatMap((project) => project.services) };
}
