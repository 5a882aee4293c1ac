import type { IncomingMessage } from 'node:http';
import { RailyardError } from '../core/errors.ts';

/**
 * Reads a request body into memory, at most `max` bytes: a declared
 * Content-Length past it is refused before a byte is read, a stream that grows
 * past it is refused at that byte. Nothing is parsed here. On refusal the rest
 * of the body is discarded as it arrives (not buffered), so the 413 can still
 * be written; the caller answers with `Connection: close`.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) {
    req.resume();
    return Promise.reject(tooLarge(max));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      req.resume();
      reject(tooLarge(max));
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new RailyardError('PAYLOAD_INVALID', 'The request body could not be read', { cause: error }));
    };
    const onClose = (): void => {
      if (!req.complete) onError(new Error('the client went away before the body ended'));
    };
    const cleanup = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * Reads what is left of a request body and drops it, so the answer can go out
 * on a connection the client is no longer writing to: answering (and, for a
 * client that asked for `Connection: close`, closing) while it still sends
 * makes the kernel reset the connection, and the client sees ECONNRESET or
 * EPIPE instead of the answer. Resolves true once the body ended; false when
 * it was longer than `limit` bytes (declared or sent), and the connection was cut.
 */
export function drainBody(req: IncomingMessage, limit: number): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.destroy();
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    let dropped = 0;
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > limit) req.destroy();
    });
    req.once('end', () => resolve(true)).once('close', () => resolve(req.complete));
    req.resume();
  });
}

function tooLarge(max: number): RailyardError {
  return new RailyardError('PAYLOAD_TOO_LARGE', `The request body is larger than ${max} bytes (HOOK_MAX_BODY)`, { data: { max } });
}
