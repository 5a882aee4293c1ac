import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The API key a request carries: `Authorization: Bearer <key>`, `X-API-KEY`,
 * or `?apikey=` (itsUP's way, for callers that can only set a URL). An empty
 * value counts as given (and wrong), so it is refused like any wrong key.
 */
export function providedApiKey(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]*(.*)$/i.exec(authorization);
    return (match?.[1] ?? '').trim();
  }
  const header = req.headers['x-api-key'];
  if (header !== undefined) return (Array.isArray(header) ? header.join(',') : header).trim();
  return query.get('apikey') ?? undefined;
}

/**
 * Compares keys in constant time: both sides are hashed first, so neither the
 * content nor the length of the expected key shows in the timing.
 */
export function keyMatches(expected: string, provided: string): boolean {
  if (provided === '') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(provided).digest();
  return timingSafeEqual(a, b);
}
