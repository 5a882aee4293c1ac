import { extract } from 'tar';
import { RailyardError } from '../../core/errors.ts';
import { PARSE_OPTIONS } from './check-archive.ts';

/**
 * Extracts a checked archive into an empty folder with node-tar's own guards
 * on as well (no absolute paths, no `..`, no writes through symlinks), modes
 * exactly as archived and, as root, owners too.
 */
export async function extractArchive(file: string, into: string): Promise<void> {
  try {
    await extract({ file, cwd: into, ...PARSE_OPTIONS, preservePaths: false, chmod: true, processUmask: 0 });
  } catch (error) {
    throw new RailyardError('RESTORE_FAILED', `Could not extract the archive into ${into}: ${(error as Error).message}`, { cause: error });
  }
}
