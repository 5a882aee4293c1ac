import type { IncomingMessage } from 'node:http';
import { RailyardError } from '../pipeline/errors.ts';

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

function tooLarge(max: number): RailyardError {
  return new RailyardError('PAYLOAD_TOO_LARGE', `The request body is larger than ${max} bytes (HOOK_MAX_BODY)`, { data: { max } });
}
