import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AuthCallback, HttpClient } from 'isomorphic-git';
import { gitLib } from './git-lib.ts';
import type { Logger } from '../../core/logger.ts';
import { isRemoteProblem } from './git-error.ts';

export interface CloneOptions {
  /** The work tree: `<root>/data/repo`. */
  readonly dir: string;
  readonly url: string;
  readonly branch: string;
  readonly token: string | undefined;
  /** Sent with the token (GIT_USERNAME). */
  readonly username: string;
  readonly http: HttpClient;
  /** The pull's deadline and the run's cancellation: once aborted, nothing is tried again. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Keep the checked-out commit without fetching (a parent run just pulled). */
  readonly reuse: boolean;
}

export interface CloneState {
  /** The commit now checked out. */
  readonly commit: string;
  /** The commit checked out before, when there was a usable clone. */
  readonly previous: string | undefined;
  readonly action: 'cloned' | 'fetched' | 'recloned' | 'reused';
}

/**
 * Brings `dir` to the tip of `branch`: a shallow single-branch clone the first
 * time, then fetch + forced checkout (so a force-push is followed). A clone
 * that is unusable (missing objects, another URL) is cloned again into a
 * temporary folder and swapped in. The caller holds the clone's lock
 * (pipeline/clone-lock.ts) around this and its checks of the checkout.
 */
export async function syncClone(options: CloneOptions): Promise<CloneState> {
  await removeLeftovers(options.dir);
  const previous = await usableHead(options);
  if (previous === undefined) {
    const existed = fs.existsSync(options.dir);
    return { commit: await cloneFresh(options), previous, action: existed ? 'recloned' : 'cloned' };
  }
  if (options.reuse) return { commit: previous, previous, action: 'reused' };
  try {
    return { commit: await fetchAndCheckout(options), previous, action: 'fetched' };
  } catch (error) {
    if (options.signal.aborted || isRemoteProblem(error)) throw error;
    options.log.warn({ err: error }, 'clone unusable, cloning again');
    return { commit: await cloneFresh(options), previous, action: 'recloned' };
  }
}

const onAuth = ({ token, username }: CloneOptions): { onAuth?: AuthCallback } =>
  // Asked only after the server answers 401; the token stays in memory, never in .git/config.
  token === undefined ? {} : { onAuth: () => ({ username, password: token }) };

/**
 * Each fetch adds a pack and isomorphic-git has no `gc`: past this many, the
 * (shallow, small) clone is made again instead of growing forever.
 */
const MAX_PACKS = 200;

/** HEAD of an existing clone of `url`, or undefined when there is none, it is broken or has grown too big. */
async function usableHead(options: CloneOptions): Promise<string | undefined> {
  if (!fs.existsSync(join(options.dir, '.git'))) return undefined;
  try {
    const git = await gitLib();
    const packs = (await readdir(join(options.dir, '.git', 'objects', 'pack'))).filter((n) => n.endsWith('.pack'));
    if (packs.length > MAX_PACKS) {
      options.log.info({ packs: packs.length }, 'clone has grown, cloning again');
      return undefined;
    }
    const remote = (await git.getConfig({ fs, dir: options.dir, path: 'remote.origin.url' })) as unknown;
    if (remote !== options.url) {
      options.log.warn('clone has another REPO_URL, cloning again');
      return undefined;
    }
    const head = await git.resolveRef({ fs, dir: options.dir, ref: 'HEAD' });
    await git.readCommit({ fs, dir: options.dir, oid: head });
    return head;
  } catch (error) {
    options.log.warn({ err: error }, 'clone unusable, cloning again');
    return undefined;
  }
}

async function fetchAndCheckout(options: CloneOptions): Promise<string> {
  const { dir, branch, http } = options;
  const git = await gitLib();
  const cache = {};
  const fetched = await git.fetch({
    fs, http, dir, cache, remote: 'origin', ref: branch, remoteRef: branch,
    singleBranch: true, depth: 1, tags: false, ...onAuth(options),
  });
  const tip = fetched.fetchHead ?? (await git.resolveRef({ fs, dir, ref: `refs/remotes/origin/${branch}` }));
  await git.writeRef({ fs, dir, ref: `refs/heads/${branch}`, value: tip, force: true });
  await git.checkout({ fs, dir, cache, ref: branch, force: true });
  return tip;
}

async function cloneFresh(options: CloneOptions): Promise<string> {
  const { dir, url, branch, http } = options;
  const git = await gitLib();
  const temp = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await git.clone({ fs, http, dir: temp, url, ref: branch, singleBranch: true, depth: 1, noTags: true, ...onAuth(options) });
    const commit = await git.resolveRef({ fs, dir: temp, ref: 'HEAD' });
    const old = `${dir}.old-${randomBytes(4).toString('hex')}`;
    if (fs.existsSync(dir)) await rename(dir, old);
    await rename(temp, dir);
    await rm(old, { recursive: true, force: true });
    return commit;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Removes temporary clones a killed process left beside `dir`. */
async function removeLeftovers(dir: string): Promise<void> {
  const prefix = `${basename(dir)}.`;
  const names = await readdir(dirname(dir)).catch(() => [] as string[]);
  const stale = names.filter((n) => n.startsWith(`${prefix}tmp-`) || n.startsWith(`${prefix}old-`));
  await Promise.all(stale.map((n) => rm(join(dirname(dir), n), { recursive: true, force: true })));
}
