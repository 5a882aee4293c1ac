import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { RailyardError } from '../../core/errors.ts';
import { DigestStream } from '../backup/digest-stream.ts';
import type { CheckedGeneration } from '../backup/generations.ts';
import { oneLine, type BackupTarget, type Digest } from '../backup/target.ts';

/**
 * Downloads a generation to `file`, hashing it on the way, and checks the
 * size and sha256 against what the backup recorded (BACKUP_VERIFY_FAILED
 * otherwise). A generation without a recorded digest (itsUP's) is only
 * checked for size.
 */
export async function downloadVerified(target: BackupTarget, generation: CheckedGeneration, file: string, signal: AbortSignal): Promise<Digest> {
  const digest = new DigestStream();
  try {
    const body = await target.download(generation.key, signal);
    await pipeline(body, digest, createWriteStream(file, { flags: 'wx' }), { signal });
  } catch (error) {
    throw new RailyardError('BACKUP_TARGET_FAILED', `Could not download ${generation.key} from ${target.description}: ${oneLine(error)}`, { cause: error });
  }
  const got = digest.digest();
  const expected = generation.digest ?? { sha256: undefined, size: generation.size };
  if (got.size !== expected.size || (expected.sha256 !== undefined && got.sha256 !== expected.sha256)) {
    throw new RailyardError('BACKUP_VERIFY_FAILED', `${generation.key} does not match its recorded digest: got ${got.size} bytes, sha256 ${got.sha256.slice(0, 12)}…`, {
      data: { expected, got },
    });
  }
  return got;
}
