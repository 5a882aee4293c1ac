import type { Env } from '../../config/env.ts';
import type { Logger } from '../../core/logger.ts';
import type { Step, StepContext } from '../../pipeline/types.ts';
import { readSourceOf } from '../../runtime/engine-read.ts';
import { archiveTree } from './archive-tree.ts';
import { DigestStream } from './digest-stream.ts';
import { stagingKey } from './keys.ts';
import { s3Settings } from './s3-settings.ts';
import { warnSwarmData } from './swarm-data.ts';
import { oneLine, openTarget } from './target.ts';

/** The folder of the stack root that is backed up. */
export const BACKUP_FOLDER = 'upstream';

export interface ArchiveResult {
  /** Where the archive was uploaded; not a generation until promoted. */
  readonly stagingKey: string;
  /** When the archive was started: the generation's timestamp. */
  readonly startedAt: string;
  /** Compressed bytes streamed, and their sha256. */
  readonly size: number;
  readonly sha256: string;
  readonly entries: number;
  /** Files that vanished mid-read or are not files (sockets). */
  readonly skipped: number;
  /** Stateful swarm services whose data is on another node's disk, so not in this archive (steps/backup/swarm-data.ts). */
  readonly warnings: readonly string[];
}

/**
 * Streams a tar.gz of upstream/ (less BACKUP_EXCLUDE) to a staging key of the
 * target, counting and hashing it on the way: nothing is held in memory but a
 * few chunks and the parts in flight.
 */
export const archive: Step<'archive', ArchiveResult> = {
  name: 'archive',
  check(env) {
    s3Settings(env);
  },
  async run(ctx) {
    const { env, log } = ctx;
    const target = await openTarget(env);
    const started = new Date();
    const key = stagingKey(env.backupPrefix, started);
    // Side by side with the archive: plain-HTTP reads of the engine, never a failure.
    const warnings = warnSwarmData(readSourceOf(ctx.clients), env.root, log);
    const tree = upstreamArchive(env, log);
    const digest = new DigestStream();
    let archiveError: unknown;
    tree.stream.once('error', (error) => {
      archiveError = error;
      digest.destroy(error);
    });
    log.info({ target: target.description, stagingKey: key, exclude: env.backupExclude }, 'archive started');
    try {
      await target.upload(key, tree.stream.pipe(digest), ctx.signal);
    } catch (error) {
      tree.stream.destroy();
      await target.delete(key).catch(() => undefined);
      throw failure(ctx, archiveError, error, target.description);
    }
    const { size, sha256 } = digest.digest();
    log.info({ stagingKey: key, size, sha256, entries: tree.stats.entries, skipped: tree.stats.skipped }, 'archive uploaded');
    return { stagingKey: key, startedAt: started.toISOString(), size, sha256, entries: tree.stats.entries, skipped: tree.stats.skipped, warnings: await warnings };
  },
};

function failure(ctx: StepContext, archiveError: unknown, uploadError: unknown, where: string): Error {
  if (archiveError !== undefined) {
    const message = (archiveError as { userMessage?: string }).userMessage ?? `Archiving failed: ${oneLine(archiveError)}`;
    return ctx.fail('BACKUP_ARCHIVE_FAILED', message, archiveError);
  }
  return ctx.fail('BACKUP_UPLOAD_FAILED', `Upload to ${where} failed: ${oneLine(uploadError)}`, uploadError);
}

/** The archive a backup streams: upstream/ without BACKUP_EXCLUDE, files that vanish mid-read logged and skipped. */
export function upstreamArchive(env: Env, log: Logger): ReturnType<typeof archiveTree> {
  return archiveTree({
    cwd: env.root,
    folder: BACKUP_FOLDER,
    exclude: env.backupExclude,
    onWarning: (path, reason) => log.warn({ path, reason }, 'file skipped or changed while archived'),
  });
}
