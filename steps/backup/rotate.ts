import type { Step } from '../../pipeline/types.ts';
import { archive } from './archive.ts';
import { checkGenerations, listBackups, type Generation } from './generations.ts';
import { stagingPrefix } from './keys.ts';
import { promote } from './promote.ts';
import { onTarget, openTarget, type BackupTarget } from './target.ts';

export interface RotateResult {
  /** Validated generations kept, newest first (the new one included). */
  readonly kept: readonly string[];
  readonly deleted: readonly string[];
  /** Staging objects and multipart uploads left by earlier runs, cleaned. */
  readonly staleCleaned: number;
}

/**
 * Keeps BACKUP_KEEP validated generations and deletes older ones. It runs
 * after promote, never before: itsUP deleted old backups before uploading the
 * new one, so a failed upload left fewer backups than configured.
 */
export const rotate: Step<'rotate', RotateResult> = {
  name: 'rotate',
  needs: [archive, promote],
  async run(ctx) {
    const { env, log } = ctx;
    const started = new Date(ctx.resultOf(archive).startedAt);
    const current = ctx.resultOf(promote).key;
    const target = await openTarget(env);
    const listing = await onTarget(target, 'list backups', () => listBackups(target, env.backupPrefix));
    const plan = await onTarget(target, 'read backups', () => planRotation(target, listing.generations, env.backupKeep, current));
    for (const key of plan.deleted) await onTarget(target, `delete ${key}`, () => target.delete(key));
    const stale = listing.staging.filter((object) => object.started < started);
    for (const object of stale) await onTarget(target, `delete ${object.key}`, () => target.delete(object.key));
    const aborted = await target.abortStaleUploads?.(stagingPrefix(env.backupPrefix), started).catch((error: unknown) => {
      log.warn({ err: error }, 'stale multipart uploads not cleaned');
      return 0;
    }) ?? 0;
    log.info({ kept: plan.kept.length, deleted: plan.deleted, staleCleaned: stale.length + aborted }, 'backups rotated');
    return { kept: plan.kept, deleted: plan.deleted, staleCleaned: stale.length + aborted };
  },
};

/**
 * Walks the generations newest first, reading each one's digest, until `keep`
 * validated ones are found; everything older than the last of them goes.
 * Generations that are not validated (itsUP's, or damaged) do not count, and
 * nothing is deleted while fewer than `keep` validated ones exist.
 */
export async function planRotation(
  target: BackupTarget,
  newestFirst: readonly Generation[],
  keep: number,
  current: string,
): Promise<{ kept: string[]; deleted: string[] }> {
  const kept: string[] = [];
  let index = 0;
  while (kept.length < keep && index < newestFirst.length) {
    const batch = newestFirst.slice(index, index + Math.max(1, keep - kept.length));
    for (const generation of await checkGenerations(target, batch)) {
      index += 1;
      if (generation.validated) kept.push(generation.key);
      if (kept.length === keep) break;
    }
  }
  if (kept.length < keep) return { kept, deleted: [] };
  const deleted = newestFirst.slice(index).map((g) => g.key).filter((key) => key !== current);
  return { kept, deleted };
}
