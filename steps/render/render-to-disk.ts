import type { DbConfig, Project } from '../../config/db-types.ts';
import type { NetworkPool } from '../../config/env.ts';
import type { EngineSource } from '../../runtime/engine-read.ts';
import { stackIdOf } from '../../runtime/containers.ts';
import { digestMounts, mountRequests } from './mount-digest.ts';
import { projectSubnets, saveSubnets, type ProjectSubnets } from './network-state.ts';
import { ProjectMemo } from './project-memo.ts';
import { loadMemo, memoKey } from './render-cache.ts';
import type { SubnetOf } from './compose.ts';
import { renderStack, type RenderEnv } from './render-stack.ts';
import type { RenderedStack, RenderResult } from './types.ts';
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
  /** false: render every project, neither reading nor keeping the memo (a benchmark's baseline). @default true */
  readonly reuse?: boolean;
}

/**
 * One per stack root and process, read from the root's data/ first: a command
 * re-renders only the projects that changed since the last render of the root
 * (by any process), `serve` and `worker` since their last run.
 */
const memos = new Map<string, Promise<ProjectMemo>>();

/** The memo of `root` (read from its data/ on first use). */
export function memoOf(root: string): Promise<ProjectMemo> {
  let memo = memos.get(root);
  if (memo === undefined) memos.set(root, (memo = loadMemo(root)));
  return memo;
}

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
  const { stack, subnets, memo } = await renderOnly(config, env, options, options.reuse !== false);
  const { changed } = await writeFiles(out, stack.files, stack.dirs);
  // A preview (--out elsewhere) does not claim subnets on this host, nor leave a memo there.
  if (subnets !== undefined && out === options.root) await saveSubnets(options.root, subnets);
  if (out === options.root && options.reuse !== false) {
    await memo.save().catch(() => undefined); // losing the memo only costs the next render time
  }
  return { ...stack, root: out, changed, services: stack.projects.flatMap((project) => project.services) };
}

/** Reads what services mount, the subnets (unless given) and the memo, and renders; writes nothing. */
async function renderOnly(config: DbConfig, env: RenderEnv, options: RenderToDiskOptions, reuse: boolean, given?: ProjectSubnets) {
  const [mountDigests, subnets, memo] = await Promise.all([
    digestMounts(options.root, mountRequests(config)),
    given ?? (options.networkPool === undefined ? undefined : projectSubnets(options.root, config, options.networkPool, options.docker)),
    reuse ? memoOf(options.root) : new ProjectMemo(),
  ]);
  const stackId = stackIdOf(options.root);
  memo.begin(memoKey(config, env, options.networkPool, stackId, options.root));
  const stack = renderStack(config, env, { mountDigests, memo, stack: stackId, ...(subnets && { subnetOf: subnets.allocator.subnetOf }) });
  return { stack, subnets, memo };
}

export interface PreviewOptions extends Omit<RenderToDiskOptions, 'out' | 'reuse'> {
  /** Render this project alone (renderStack's `only`; its name in any case): the plan of one project. One db.yml lacks is rendered with the stack. */
  readonly only?: string;
}

/**
 * The render `plan` compares the host with: as `renderToDisk` would render
 * now (the kept subnets and the memo of the last render, so an unchanged
 * project costs a lookup, not a render), but writes nothing: no files, no
 * subnets claimed, no memo saved. With `only`, that project alone, without
 * reading the memo (one project renders in a few ms; reading the memo of
 * every project cost more).
 */
export async function renderPreview(config: DbConfig, env: RenderEnv, options: PreviewOptions): Promise<RenderResult> {
  const only = options.only?.toLowerCase();
  const project = only === undefined ? undefined : config.projects.find((p) => p.name.toLowerCase() === only);
  const stack = project !== undefined ? await renderAlone(config, env, options, project) : (await renderOnly(config, env, options, true)).stack;
  return { ...stack, root: options.root, changed: [], services: stack.projects.flatMap((project) => project.services) };
}

/**
 * renderStack's `only`. A project that still needs a new subnet gets the one
 * apply would give it, which depends on the projects before it: the whole
 * stack is rendered first then (rarely: before the project's first apply).
 */
async function renderAlone(config: DbConfig, env: RenderEnv, options: PreviewOptions, project: Project): Promise<RenderedStack> {
  const only = project.name;
  const [mountDigests, subnets] = await Promise.all([
    digestMounts(options.root, mountRequests({ ...config, projects: [project] })),
    options.networkPool === undefined ? undefined : projectSubnets(options.root, config, options.networkPool, options.docker),
  ]);
  const render = (subnetOf?: SubnetOf): RenderedStack => renderStack(config, env, { mountDigests, only, stack: stackIdOf(options.root), ...(subnetOf && { subnetOf }) });
  if (subnets === undefined) return render();
  let assigned = true;
  const stack = render((project) => {
    const kept = subnets.allocator.kept(project);
    if (kept === undefined) assigned = false;
    return kept ?? ''; // that render is dropped
  });
  if (assigned) return stack;
  await renderOnly(config, env, options, true, subnets); // hands out the new subnets in db.yml order, as apply does
  return render(subnets.allocator.subnetOf);
}
