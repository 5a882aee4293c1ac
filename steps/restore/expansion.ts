import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { RailyardError } from '../../core/errors.ts';

/** How far an archive may expand (RESTORE_MAX_BYTES, RESTORE_MAX_RATIO). */
export interface ExpansionLimits {
  readonly maxBytes: number;
  readonly maxRatio: number;
}

/** The most an archive of `compressed` bytes may expand to. */
export function expansionCap(compressed: number, limits: ExpansionLimits): number {
  return Math.min(limits.maxBytes, Math.max(compressed, 64 * 1024) * limits.maxRatio);
}

/** The refusal of an archive that expands past its cap, naming the setting that decides. */
export function tooExpanded(expanded: number, compressed: number, limits: ExpansionLimits): RailyardError {
  const byRatio = Math.max(compressed, 64 * 1024) * limits.maxRatio < limits.maxBytes;
  const why = byRatio
    ? `more than ${limits.maxRatio} times its compressed size of ${compressed} bytes (RESTORE_MAX_RATIO): a gzip bomb, or raise the setting`
    : `past ${limits.maxBytes} bytes (RESTORE_MAX_BYTES)`;
  return new RailyardError('RESTORE_UNSAFE_ARCHIVE', `The archive is refused: it expands to at least ${expanded} bytes, ${why}`, {
    data: { expanded, compressed, ...limits },
  });
}

/**
 * The tar stream inside a tar.gz, in bounded memory: node:zlib's gunzip
 * honours backpressure and gives 16 KiB chunks, where tar's own synchronous
 * unzip expands a whole read at once (its 16 MiB reads turned a 1 MB bomb
 * into 1.16 GB of RSS, issue 12). The stream fails with
 * RESTORE_UNSAFE_ARCHIVE once it passes the cap, whatever the headers said.
 */
export async function tarStream(file: string, limits: ExpansionLimits): Promise<Readable> {
  const compressed = (await stat(file)).size;
  const cap = expansionCap(compressed, limits);
  let expanded = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      expanded += chunk.length;
      if (expanded > cap) done(tooExpanded(expanded, compressed, limits));
      else done(null, chunk);
    },
  });
  const input = createReadStream(file, { highWaterMark: 64 * 1024 });
  const gunzip = createGunzip({ chunkSize: 16 * 1024 });
  const fail = (error: Error): void => {
    meter.destroy(error instanceof RailyardError ? error : new RailyardError('RESTORE_UNSAFE_ARCHIVE', `The archive cannot be read: ${error.message}`, { cause: error }));
  };
  input.once('error', fail);
  gunzip.once('error', fail);
  meter.once('close', () => {
    input.destroy();
    gunzip.destroy();
  });
  return input.pipe(gunzip).pipe(meter);
}
