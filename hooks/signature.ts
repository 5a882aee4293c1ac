import { createHmac, timingSafeEqual } from 'node:crypto';

const SHA256 = /^sha256=([0-9a-f]{64})$/;

/**
 * Checks GitHub's `X-Hub-Signature-256` (`sha256=<hex HMAC>`) over the raw
 * body bytes, in constant time. A missing, malformed or wrong-length header
 * fails; so does a delivery signed only with the legacy sha1 header, which is
 * never consulted.
 */
export function signatureMatches(secret: string, body: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const match = SHA256.exec(header.trim());
  if (match === null) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(given, expected);
}
