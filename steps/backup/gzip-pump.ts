import { createGzip, type Gzip } from 'node:zlib';

/** Pieces smaller than this are gathered into one write: each write to gzip is a round trip to the thread pool. */
const MIN_WRITE = 64 * 1024;

/**
 * Gzips a sequence of pieces into a readable stream. A piece is written only
 * once gzip has consumed the previous one and its reader has kept up, so the
 * producer may reuse its buffers: a piece need only stay valid until the next
 * one is pulled. This bounds memory to a few buffers, whatever the tree size;
 * fresh buffers per chunk left tens of MB of garbage between collections.
 * A producer error destroys the stream with that error.
 */
export function gzipPieces(pieces: AsyncGenerator<Buffer>): Gzip {
  const gzip = createGzip({ chunkSize: 64 * 1024 });
  void pump(pieces, gzip);
  return gzip;
}

async function pump(pieces: AsyncGenerator<Buffer>, gzip: Gzip): Promise<void> {
  const held = Buffer.allocUnsafe(MIN_WRITE);
  let length = 0;
  try {
    for await (const piece of pieces) {
      if (length > 0 && length + piece.length > held.length) {
        await write(gzip, held.subarray(0, length));
        length = 0;
      }
      if (piece.length >= MIN_WRITE) await write(gzip, piece);
      else length += piece.copy(held, length);
    }
    if (length > 0) await write(gzip, held.subarray(0, length));
    gzip.end();
  } catch (error) {
    gzip.destroy(error as Error);
    await pieces.return(undefined); // closes the file the walk has open
  }
}

/** Resolves once gzip has consumed `chunk`; rejects when the stream is destroyed first. */
function write(gzip: Gzip, chunk: Buffer): Promise<void> {
  if (gzip.destroyed) return Promise.reject(new Error('archive stream closed'));
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('archive stream closed'));
    gzip.once('close', onClose);
    gzip.write(chunk, (error) => {
      gzip.off('close', onClose);
      if (error) reject(error);
      else resolve();
    });
  });
}
