import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { RailyardError } from '../../core/errors.ts';

/**
 * Calls `onLine` for each line of a text file, streaming (fail2ban logs grow
 * large); a `.gz` file (a rotated log) is decompressed on the way. A missing or
 * unreadable file is a THREAT_SOURCE_UNREADABLE error: writing a report from a
 * source that could not be read would drop all of its IPs.
 */
export async function readLines(path: string, onLine: (line: string, number: number) => void): Promise<void> {
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  let failure: unknown;
  const fail = (error: unknown): void => {
    failure ??= error;
    input.destroy();
  };
  file.on('error', fail);
  if (input !== file) input.on('error', fail);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) onLine(line, ++number);
  } catch (error) {
    if (error instanceof RailyardError) throw error; // thrown by onLine
    failure ??= error;
  } finally {
    input.destroy();
  }
  if (failure !== undefined) {
    const code = (failure as NodeJS.ErrnoException).code ?? 'error';
    throw new RailyardError('THREAT_SOURCE_UNREADABLE', `Cannot read ${path} (${code})`, { cause: failure, data: { path } });
  }
}
