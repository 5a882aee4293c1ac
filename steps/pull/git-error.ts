import { RailyardError } from '../../core/errors.ts';

export interface GitErrorContext {
  /** Host of REPO_URL, for messages (never the full URL: it is harmless, but the host is enough). */
  readonly host: string;
  readonly branch: string;
  readonly hasToken: boolean;
  readonly timedOut: boolean;
  readonly timeoutMs: number;
}

const codeOf = (error: unknown): string | undefined => (error as { code?: unknown } | null)?.code as string | undefined;

/** True for failures of the remote or the network: cloning again would not help. */
export function isRemoteProblem(error: unknown): boolean {
  const code = codeOf(error);
  return (
    error instanceof RailyardError ||
    ['HttpError', 'UserCanceledError', 'SmartHttpError', 'EmptyServerResponseError'].includes(code ?? '') ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError' || error.message === 'fetch failed'))
  );
}

/** Turns an isomorphic-git or network failure into one coded error with a one-line message. */
export function gitError(error: unknown, context: GitErrorContext): RailyardError {
  if (error instanceof RailyardError) return error;
  const { host } = context;
  const make = (code: ConstructorParameters<typeof RailyardError>[0], message: string): RailyardError =>
    new RailyardError(code, message, { cause: error, step: 'pull' });
  if (context.timedOut) return make('GIT_TIMEOUT', `The pull from ${host} did not finish within ${context.timeoutMs / 1000} s (GIT_TIMEOUT)`);
  const code = codeOf(error);
  if (code === 'HttpError') {
    const status = (error as { data?: { statusCode?: number } }).data?.statusCode ?? 0;
    if (status === 401 || status === 403) {
      return make('GIT_AUTH_FAILED', context.hasToken
        ? `${host} refused GIT_TOKEN (HTTP ${status}): check the token and that it can read the repository`
        : `${host} needs credentials (HTTP ${status}): set GIT_TOKEN`);
    }
    if (status === 404) return make('GIT_REPO_NOT_FOUND', `${host} has no repository at REPO_URL (HTTP 404), or GIT_TOKEN cannot see it`);
    return make('GIT_UNREACHABLE', `${host} answered HTTP ${status}`);
  }
  if (code === 'UserCanceledError') return make('GIT_AUTH_FAILED', `${host} refused the credentials`);
  if (code === 'SmartHttpError') return make('GIT_UNREACHABLE', `${host} did not answer as a git server: check REPO_URL`);
  if (code === 'NotFoundError') return make('GIT_BRANCH_NOT_FOUND', `The repository has no branch "${context.branch}" (REPO_BRANCH)`);
  if (code === 'UnsafeFilepathError') return make('GIT_UNSAFE_CHECKOUT', 'The commit holds an unsafe path (.. or .git); nothing was checked out');
  if (error instanceof Error && error.message === 'fetch failed') {
    const cause = codeOf(error.cause) ?? 'network error';
    return make('GIT_UNREACHABLE', `Cannot reach ${host} (${cause})`);
  }
  return make('GIT_FAILED', `git failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
}
