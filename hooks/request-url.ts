import { RailyardError } from '../core/errors.ts';

/** A request target, split without resolving `.` or `..` segments. */
export interface RequestUrl {
  /** The path, as sent (still percent-encoded): the only part of a URL that is logged. */
  readonly path: string;
  /** Path segments, still percent-encoded; no empty ones. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
}

/**
 * Splits `req.url`. It is deliberately not fed to `new URL()`, which would turn
 * `/update-upstream/../x` (and `%2e%2e`) into `/x`: a name like that must reach
 * the name check and get its 400, not quietly address another route.
 */
export function parseRequestUrl(raw: string | undefined): RequestUrl {
  const target = raw ?? '/';
  const at = target.indexOf('?');
  const path = at === -1 ? target : target.slice(0, at);
  if (!path.startsWith('/')) throw new RailyardError('ROUTE_NOT_FOUND', 'Request targets must be paths');
  return {
    path,
    segments: path.split('/').filter((s) => s !== ''),
    query: new URLSearchParams(at === -1 ? '' : target.slice(at + 1)),
  };
}

/** Decodes one path segment; bad percent-encoding is a 400. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RailyardError('NAME_INVALID', 'The path holds invalid percent-encoding');
  }
}
