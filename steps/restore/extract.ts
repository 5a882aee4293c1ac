import { pipeline } from 'node:stream/promises';
import { extract, type ReadEntry } from 'tar';
import { RailyardError } from '../../core/errors.ts';
import { DEFAULT_EXPANSION, PARSE_OPTIONS } from './check-archive.ts';
import { tarStream, type ExpansionLimits } from './expansion.ts';

/**
 * Extracts a checked archive into an empty folder with node-tar's own guards
 * on as well (no absolute paths, no `..`, no writes through symlinks), modes
 * as archived but without setuid and setgid bits (a backup never needs them,
 * and a restore as root would hand them out), and, as root, owners too. The
 * tar stream comes from expansion.ts: bounded memory, capped expansion.
 */
export async function extractArchive(file: string, into: string, limits: ExpansionLimits = DEFAULT_EXPANSION): Promise<void> {
  try {
    const unpack = extract({
      cwd: into, ...PARSE_OPTIONS, preservePaths: false, chmod: true, processUmask: 0,
      filter: (_path: string, entry: unknown) => {
        const read = entry as ReadEntry;
        if (typeof read.mode === 'number') read.mode &= ~0o6000;
        return true;
      },
    });
    await pipeline(await tarStream(file, limits), unpack as unknown as NodeJS.WritableStream);
  } catch (error) {
    if (error instanceof RailyardError) throw error;
    throw new RailyardError('RESTORE_FAILED', `Could not extract the archive into ${into}: ${(error as Error).message}`, { cause: error });
  }
}
