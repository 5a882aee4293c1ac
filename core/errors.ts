/**
 * The one error type of railyard. Every failure that reaches a user carries a
 * `code` from this catalogue, a one-line `userMessage` (no secrets, no stack)
 * and, where there is one, the original error as `cause`.
 */
export type ErrorCode =
  // config: files and environment
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_TOO_LARGE'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_INVALID'
  | 'ENV_INVALID'
  // render
  | 'RENDER_FAILED'
  | 'RENDER_UNRESOLVED_VARIABLE'
  | 'RENDER_UNSAFE_PATH'
  | 'NETWORK_POOL_EXHAUSTED'
  // git
  | 'GIT_AUTH_FAILED'
  | 'GIT_UNREACHABLE'
  | 'GIT_URL_UNSUPPORTED'
  | 'GIT_UNSAFE_CHECKOUT'
  | 'GIT_TIMEOUT'
  | 'GIT_REPO_NOT_FOUND'
  | 'GIT_BRANCH_NOT_FOUND'
  | 'GIT_FAILED'
  // docker
  | 'DOCKER_UNREACHABLE'
  /** A project's containers belong to another stack root on the same engine. */
  | 'STACK_CONFLICT'
  | 'COMPOSE_INVALID'
  | 'COMPOSE_FAILED'
  | 'IMAGE_PULL_FAILED'
  | 'ROLLOUT_UNHEALTHY'
  | 'ROLLOUT_ROLLED_BACK' // Swarm rolled a service update back (or paused it): the run failed
  | 'SWARM_UNAVAILABLE'
  | 'ROUTES_DEAD'
  | 'TRAEFIK_API_FAILED'
  | 'TRAEFIK_SERVERS_TIMEOUT'
  // backup and reports
  | 'BACKUP_ARCHIVE_FAILED'
  | 'BACKUP_UPLOAD_FAILED'
  | 'BACKUP_VERIFY_FAILED'
  | 'BACKUP_TARGET_FAILED'
  | 'BACKUP_NOT_FOUND'
  | 'RESTORE_UNSAFE_ARCHIVE'
  | 'RESTORE_FAILED'
  | 'THREAT_LOOKUP_FAILED'
  | 'THREAT_SOURCE_UNREADABLE'
  | 'THREAT_WHITELIST_INVALID'
  | 'THREAT_REPORT_WRITE_FAILED'
  // blocks and the host firewall (issue 15)
  | 'BLOCK_REFUSED'
  | 'BLOCK_NOT_FOUND'
  | 'FIREWALL_UNAVAILABLE'
  | 'FIREWALL_REFUSED'
  // HTTP endpoint (hooks/errors-to-status.ts maps each to its status)
  | 'SOURCE_FORBIDDEN'
  | 'AUTH_FAILED'
  | 'CSRF_REFUSED'
  | 'AUTH_NOT_CONFIGURED'
  | 'SIGNATURE_INVALID'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'PAYLOAD_UNSUPPORTED_TYPE'
  | 'PAYLOAD_INVALID'
  | 'NAME_INVALID'
  | 'PROJECT_NOT_FOUND'
  | 'SERVICE_NOT_FOUND'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'SHUTTING_DOWN'
  | 'UNVERIFIED_MEMORY_FULL'
  // runner
  | 'RUN_CANCELLED'
  | 'RUN_INTERRUPTED'
  | 'RUN_NOT_FOUND'
  | 'RUNNER_BUSY'
  | 'STORE_FAILED'
  | 'USAGE'
  | 'UNEXPECTED'; // a bug or an unclassified failure: read `cause`

export interface RailyardErrorOptions {
  readonly cause?: unknown;
  /** The pipeline step that failed, when the error comes from a run. */
  readonly step?: string;
  /** The project the failure concerns, when there is one. */
  readonly project?: string;
  /** Structured details, e.g. the list of config problems. */
  readonly data?: unknown;
}

export class RailyardError extends Error {
  override readonly name = 'RailyardError';
  readonly step: string | undefined;
  readonly project: string | undefined;
  readonly data: unknown;

  constructor(
    readonly code: ErrorCode,
    /** Shown in CLI output, commit statuses and API responses: one line, no secrets. */
    readonly userMessage: string,
    options: RailyardErrorOptions = {},
  ) {
    const where = [options.project, options.step].filter(Boolean).join(': ');
    super(where ? `${where}: ${userMessage}` : userMessage, { cause: options.cause });
    this.step = options.step;
    this.project = options.project;
    this.data = options.data;
  }

  /** Wraps anything thrown into a RailyardError, keeping a RailyardError as it is. */
  static from(error: unknown, context: { step?: string; project?: string } = {}): RailyardError {
    if (error instanceof RailyardError) return error;
    const what = context.step ? `${context.step} failed unexpectedly` : 'failed unexpectedly';
    const detail = error instanceof Error ? `: ${error.message.split('\n')[0]}` : '';
    return new RailyardError('UNEXPECTED', `${what}${detail}`, { ...context, cause: error });
  }
}

export function isRailyardError(error: unknown, code?: ErrorCode): error is RailyardError {
  return error instanceof RailyardError && (code === undefined || error.code === code);
}
