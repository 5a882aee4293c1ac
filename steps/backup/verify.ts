import type { Step } from '../../pipeline/types.ts';
import { archive } from './archive.ts';
import { onTarget, openTarget } from './target.ts';

export interface VerifyResult {
  /** The size the target reports for the staging object: the bytes streamed. */
  readonly size: number;
}

/**
 * The staging object must be exactly as large as what was streamed; a
 * mismatch (a truncated or replaced upload) deletes it and fails the run
 * before anything is promoted or rotated.
 */
export const verify: Step<'verify', VerifyResult> = {
  name: 'verify',
  needs: [archive],
  async run(ctx) {
    const { stagingKey, size } = ctx.resultOf(archive);
    const target = await openTarget(ctx.env);
    const head = await onTarget(target, 'read the uploaded archive', () => target.head(stagingKey));
    if (head === undefined) throw ctx.fail('BACKUP_VERIFY_FAILED', `The uploaded archive ${stagingKey} is missing from ${target.description}`);
    if (head.size !== size) {
      await target.delete(stagingKey).catch(() => undefined);
      throw ctx.fail('BACKUP_VERIFY_FAILED', `The uploaded archive has ${head.size} bytes, ${size} were streamed; it was deleted`);
    }
    ctx.log.info({ stagingKey, size }, 'upload verified');
    return { size: head.size };
  },
};
