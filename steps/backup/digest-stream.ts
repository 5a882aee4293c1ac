import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Digest } from './target.ts';

/** Passes bytes through unchanged, counting them and hashing them with sha256. */
export class DigestStream extends Transform {
  #bytes = 0;
  readonly #hash: Hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    this.#hash.update(chunk);
    done(null, chunk);
  }

  /** The size and sha256 of everything that passed; call once, after the stream ended. */
  digest(): Digest {
    return { sha256: this.#hash.digest('hex'), size: this.#bytes };
  }
}
