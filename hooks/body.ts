import type { IncomingMessage } from 'node:http';
import { RailyardError } from '../core/errors.ts';
import type { Lease } from './unverified-budget.ts';

/**
 * Reads a request body into memory, at most `max` bytes: a declared
 * Content-Length past it is refused before a byte is read, a stream that grows
 * past it is refused at that byte. Nothing is parsed here. On refusal the rest
 * of the body is discarded as it arrives (not buffered), so the 413 can still
 * be written; the caller answers with `Connection: close`. With a `lease`
 * (an unauthenticated body), every byte is taken from it first: a declared
 * length up front, a chunked body as it arrives; one that does not fit is
 * refused with UNVERIFIED_MEMORY_FULL and the caller closes the connection.
 */
export function readBody(req: IncomingMessage, max: number, lease?: Lease): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) {
    req.resume();
    return Promise.reject(tooLarge(max));
  }
  const counted = Number.isSafeInteger(declared) && declared >= 0;
  if (lease !== undefined && counted && !lease.take(declared)) return Promise.reject(memoryFull());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      const fits = size <= max && (lease === undefined || (counted && size <= declared) || lease.take(chunk.length));
      if (fits) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      chunks.length = 0;
      req.resume();
      reject(size > max ? tooLarge(max) : memoryFull());
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

function memoryFull(): RailyardError {
  return new RailyardError('UNVERIFIED_MEMORY_FULL', 'Too many unverified deliveries are being read at once (HOOK_UNAUTH_MEMORY, HOOK_UNAUTH_PER_SOURCE): retry shortly', {
    data: { retryAfterSeconds: 5 },
  });
}

function tooLarge(max: number): RailyardError {
  return new RailyardError('PAYLOAD_TOO_LARGE', `The request body is larger than ${max} bytes (HOOK_MAX_BODY)`, { data: { max } });
}
