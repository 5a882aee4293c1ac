import { mkdir, mkdtemp, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Env } from '../../config/env.ts';
import { RailyardError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { acquireRunnerLock } from '../../pipeline/runner-lock.ts';
import { BACKUP_FOLDER } from '../backup/archive.ts';
import { stampOf } from '../backup/keys.ts';
import type { CheckedGeneration } from '../backup/generations.ts';
import { openTarget, type BackupTarget } from '../backup/target.ts';
import { checkArchive } from './check-archive.ts';
import { downloadVerified } from './download.ts';
import { extractArchive } from './extract.ts';
import { checkKeyArgument, resolveGeneration } from './resolve-generation.ts';
import { checkFreeFolder, swapIn } from './swap.ts';

export interface RestoreOptions {
  readonly env: Env;
  readonly log: Logger;
  /** A generation key, or `latest`: the newest validated generation. */
  readonly key: string;
  /** Extract into this new or empty folder instead of replacing upstream/. */
  readonly to?: string | undefined;
  /** Restore a generation without a recorded sha256 (made by itsUP), checking its size only. */
  readonly allowUnvalidated?: boolean;
  readonly signal?: AbortSignal;
}

export interface RestoreResult {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  readonly entries: number;
  /** Where the tree now is. */
  readonly into: string;
  /** Where the replaced upstream/ was kept (`upstream.prev-<YYYYMMDDHHMMSS>`). */
  readonly previous: string | undefined;
}

/**
 * Restores a backup: download, check size and sha256, check every entry,
 * extract into an empty staging folder, then swap it in for upstream/
 * (keeping the old tree) or move it to `--to`. Nothing outside the staging
 * folder changes until the last step. Replacing upstream/ takes the stack's
 * runner lock, so no deploy runs meanwhile.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const { env, key } = options;
  checkKeyArgument(key, env.backupPrefix);
  const upstream = join(env.root, BACKUP_FOLDER);
  const into = options.to === undefined ? await realpath(upstream).catch(() => upstream) : resolve(options.to);
  if (options.to !== undefined) await checkFreeFolder(into);
  const lock = options.to === undefined ? acquireRunnerLock(env.root) : undefined;
  if (options.to === undefined && lock === undefined) {
    throw new RailyardError('RUNNER_BUSY', `A railyard process (serve, worker or apply) runs the stack in ${env.root}: stop it, or restore with --to DIR`);
  }
  try {
    const target = await openTarget(env);
    const generation = await resolveGeneration(target, env.backupPrefix, key);
    if (!generation.validated && options.allowUnvalidated !== true) {
      throw new RailyardError('BACKUP_VERIFY_FAILED', `${generation.key} has no recorded sha256 (not made by railyard, or damaged); pass --allow-unvalidated to restore it anyway`);
    }
    options.log.info({ key: generation.key, size: generation.size, into }, 'restore started');
    await mkdir(dirname(into), { recursive: true });
    const work = await mkdtemp(join(dirname(into), `.${basename(into)}.restore-`));
    try {
      return await restoreVia(work, { ...options, into, target, generation });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  } finally {
    lock?.release();
  }
}

interface Resolved extends RestoreOptions {
  readonly into: string;
  readonly target: BackupTarget;
  readonly generation: CheckedGeneration;
}

/** Download, check and extract inside `work`, then move the tree into place. */
async function restoreVia(work: string, r: Resolved): Promise<RestoreResult> {
  const file = join(work, 'archive.tar.gz');
  const digest = await downloadVerified(r.target, r.generation, file, r.signal ?? new AbortController().signal);
  const limits = { maxBytes: r.env.restoreMaxBytes, maxRatio: r.env.restoreMaxRatio };
  const entries = await checkArchive(file, { folder: BACKUP_FOLDER, maxEntries: r.env.restoreMaxEntries, ...limits });
  await mkdir(join(work, 'tree'));
  await extractArchive(file, join(work, 'tree'), limits);
  const fresh = join(work, 'tree', BACKUP_FOLDER);
  const previous = r.to === undefined
    ? await swapIn(fresh, r.into, `${r.into}.prev-${stampOf(new Date())}`)
    : await rename(fresh, r.into).then(() => undefined, (error: unknown) => {
      throw new RailyardError('RESTORE_FAILED', `Could not move the restored tree to ${r.into}`, { cause: error });
    });
  r.log.info({ key: r.generation.key, entries, into: r.into, previous }, 'backup restored');
  return { key: r.generation.key, size: digest.size, sha256: digest.sha256, entries, into: r.into, previous };
}
