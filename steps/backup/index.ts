import { createPipeline } from '../../pipeline/pipeline.ts';
import { archive } from './archive.ts';
import { promote } from './promote.ts';
import { rotate } from './rotate.ts';
import { verify } from './verify.ts';

export { archive, promote, rotate, verify };

/**
 * The backup pipeline: archive (streamed to a staging key) → verify → promote
 * → rotate. A failure at any step leaves every existing generation in place.
 */
export const BACKUP_STEPS = [archive, verify, promote, rotate] as const;

/** `backup` (issue 7): a whole-stack pipeline, run through the same queue and history as deploys. */
export const backupPipeline = createPipeline('backup', BACKUP_STEPS, { scope: 'stack' });
