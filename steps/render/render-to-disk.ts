import type { DbConfig } from '../../config/db-types.ts';
import type { NetworkPool } from '../../config/env.ts';
import type { EngineSource } from '../../runtime/engine-read.ts';
import { stackIdOf } from '../../runtime/containers.ts';
import { digestMounts, mountRequests } from './mount-digest.ts';
import { projectSubnets, saveSubnets } from './network-state.ts';
import { ProjectMemo } from './project-memo.ts';
import { renderStack, type RenderEnv } from './render-stack.ts';
import type { RenderResult } from './types.ts';
import { writeFiles } from './write-files.ts';

export interface RenderToDiskOptions {
  /** The stack root: where mounted config files are read from. */
  readonly root: string;
  /** Where the files are written. @default root */
  readonly out?: string;
  /** Give each project's default network a subnet from this pool; without it Docker's default pools choose. */
  readonly networkPool?: NetworkPool;
  /** Asked for its networks, so no chosen subnet overlaps one already there. */
  readonly docker?: EngineSource;
}

/** One per process: `serve` and `worker` re-render only the projects that changed since their last run. */
const memo = new ProjectMemo();

/** The render under way per output folder: renders of one stack (runs of two projects) take turns. */
const writing = new Map<string, Promise<unknown>>();

/**
 * Reads what services mount, renders, then writes what changed. Shared by the
 * step and the CLI. Two runs in one process (two projects deploying at once)
 * render in turn: each reads and replaces the same shared files (the
 * manifest, the network pool's state), and interleaved they would lose one
 * another's update.
 */
export async function renderToDisk(config: DbConfig, env: RenderEnv, options: RenderToDiskOptions): Promise<RenderResult> {
  const out = options.out ?? options.root;
  const before = writing.get(out) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(() => renderNow(config, env, options, out));
  writing.set(out, mine);
  try {
    return await mine;
  } finally {
    if (writing.get(out) === mine) writing.delete(out);
  }
}

async function renderNow(config: DbConfig, env: RenderEnv, options: RenderToDiskOptions, out: string): Promise<RenderResult> {
  const [mountDigests, subnets] = await Promise.all([
    digestMounts(options.root, mountRequests(config)),
    options.networkPool === undefined ? undefined : projectSubnets(options.root, config, options.networkPool, options.docker),
  ]);
  const stack = renderStack(config, env, { mountDigests, memo, stack: stackIdOf(options.root), ...(subnets && { subnetOf: subnets.allocator.subnetOf }) });
  const { changed } = await writeFiles(out, stack.files, stack.dirs);
  // A preview (--out elsewhere) does not claim subnets on this host.
  if (subnets !== undefined && out === options.root) await saveSubnets(options.root, subnets);
  return { ...stack, root: out, changed, services: stack.projects.flatMap((project) => project.services) };
}
