import type { Step, StepContext } from '../../pipeline/types.ts';
import { archive } from './archive.ts';
import { generationKey } from './keys.ts';
import { onTarget, openTarget, type BackupTarget } from './target.ts';
import { verify } from './verify.ts';

export interface PromoteResult {
  /** The new generation: `<prefix>.<YYYYMMDDHHMMSS>`. */
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
}

/** How far a generation's timestamp moves past taken ones (backups more often than once a second). */
const MAX_BUMP_SECONDS = 300;

/**
 * Gives the verified archive its final name, with its sha256 and size in the
 * object's metadata, checks the result, then deletes the staging object.
 */
export const promote: Step<'promote', PromoteResult> = {
  name: 'promote',
  needs: [archive, verify],
  async run(ctx) {
    const { stagingKey, startedAt, size, sha256 } = ctx.resultOf(archive);
    ctx.resultOf(verify);
    const target = await openTarget(ctx.env);
    const key = await freeKey(ctx, target, new Date(startedAt));
    await onTarget(target, `promote the archive to ${key}`, () => target.promote(stagingKey, key, { sha256, size }));
    const head = await onTarget(target, `read ${key}`, () => target.head(key));
    if (head?.size !== size || head.digest?.sha256 !== sha256) {
      throw ctx.fail('BACKUP_VERIFY_FAILED', `The promoted backup ${key} does not match the upload (size ${head?.size ?? 'missing'}, ${size} expected)`);
    }
    await onTarget(target, 'delete the staging object', () => target.delete(stagingKey));
    ctx.log.info({ key, size, sha256 }, 'backup promoted');
    return { key, size, sha256 };
  },
};

/** The generation key for `date`, one second later while that one is taken: a generation is never replaced. */
async function freeKey(ctx: StepContext, target: BackupTarget, date: Date): Promise<string> {
  for (let bump = 0; bump <= MAX_BUMP_SECONDS; bump += 1) {
    const key = generationKey(ctx.env.backupPrefix, new Date(date.getTime() + bump * 1000));
    if ((await onTarget(target, `read ${key}`, () => target.head(key))) === undefined) return key;
  }
  throw ctx.fail('BACKUP_TARGET_FAILED', `Every backup name within ${MAX_BUMP_SECONDS} s of ${date.toISOString()} is taken`);
}
