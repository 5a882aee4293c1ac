import { isRailyardError, type ErrorCode } from '../core/errors.ts';

/** What the endpoint answers for an error: the ONE place error codes become HTTP statuses. */
export interface ErrorReply {
  readonly status: number;
  readonly body: { readonly error: { readonly code: ErrorCode; readonly message: string } };
  readonly headers: Readonly<Record<string, string>>;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  SOURCE_FORBIDDEN: 403,
  AUTH_FAILED: 401,
  CSRF_REFUSED: 403,
  SIGNATURE_INVALID: 401,
  AUTH_NOT_CONFIGURED: 503,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  PAYLOAD_UNSUPPORTED_TYPE: 415,
  PAYLOAD_INVALID: 400,
  NAME_INVALID: 400,
  USAGE: 400,
  PROJECT_NOT_FOUND: 404,
  SERVICE_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  BLOCK_REFUSED: 400,
  BLOCK_NOT_FOUND: 404,
  // The block is stored; nft is missing or refused it: the next try (or start) applies it.
  FIREWALL_UNAVAILABLE: 503,
  FIREWALL_REFUSED: 503,
  // The block API reads THREAT_WHITELIST at each request: a broken entry disables it until fixed.
  THREAT_WHITELIST_INVALID: 503,
  METHOD_NOT_ALLOWED: 405,
  // db.yml missing or broken (and never loaded): the server cannot say which projects exist.
  CONFIG_NOT_FOUND: 503,
  CONFIG_INVALID: 503,
  CONFIG_UNREADABLE: 503,
  CONFIG_TOO_LARGE: 503,
  DOCKER_UNREACHABLE: 503,
  STORE_FAILED: 503,
  SHUTTING_DOWN: 503,
  UNVERIFIED_MEMORY_FULL: 503,
};

/** The HTTP status of an error code; 500 for codes that are not about the request. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/**
 * Turns anything thrown by a handler into the answer. A RailyardError keeps its
 * code and one-line userMessage; anything else is a 500 that says nothing
 * about the cause (which is logged, not sent).
 */
export function errorReply(error: unknown): ErrorReply {
  // The run store (SQLite) failing is the server being unable, not the request being wrong: 503, retry later.
  if (isStoreError(error)) {
    return { status: 503, body: { error: { code: 'STORE_FAILED', message: 'The run store is unavailable (busy, locked or failing); retry shortly' } }, headers: { 'retry-after': '5' } };
  }
  if (!isRailyardError(error) || statusOf(error.code) === 500) {
    return { status: 500, body: { error: { code: 'UNEXPECTED', message: 'Internal error; see the railyard log' } }, headers: {} };
  }
  const headers: Record<string, string> = {};
  const data = error.data as { retryAfterSeconds?: number; allow?: string } | undefined;
  if ((error.code === 'RATE_LIMITED' || error.code === 'UNVERIFIED_MEMORY_FULL') && data?.retryAfterSeconds !== undefined) headers['retry-after'] = String(data.retryAfterSeconds);
  if (error.code === 'METHOD_NOT_ALLOWED' && data?.allow !== undefined) headers['allow'] = data.allow;
  return { status: statusOf(error.code), body: { error: { code: error.code, message: error.userMessage } }, headers };
}

/** better-sqlite3's errors (SQLITE_BUSY, SQLITE_IOERR, SQLITE_FULL...), also as the cause of a RailyardError. */
function isStoreError(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    if (isRailyardError(e) && e.code !== 'UNEXPECTED') return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return true;
  }
  return false;
}
