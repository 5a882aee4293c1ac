import { cloneDir } from '../../config/stack.ts';
import { withCloneLock } from '../../pipeline/clone-lock.ts';
import type { Step, StepContext } from '../../pipeline/types.ts';
import { syncClone, type CloneState } from './clone.ts';
import { checkDbFile } from './db-file.ts';
import { gitError } from './git-error.ts';
import { timedHttpClient } from './git-http.ts';
import { checkRepoUrl } from './repo-url.ts';
import { localHead } from './local-head.ts';

export interface PullResult {
  /** The commit db.yml is read from: the clone's HEAD, or the stack root's when it is a git repo. */
  readonly commit: string | undefined;
  /** False without REPO_URL: the stack root's own db.yml is used. */
  readonly remote: boolean;
  readonly branch: string | undefined;
  /** The commit checked out before this run, when there was a clone. */
  readonly previous: string | undefined;
  readonly action: CloneState['action'] | 'local';
}

/**
 * Fetches the config repo (REPO_URL, branch REPO_BRANCH) over HTTPS with
 * GIT_TOKEN and checks out the branch tip into `data/repo`; then db.yml must be
 * a regular file inside the work tree. Without REPO_URL, the stack root's
 * db.yml is used as it is.
 */
export const pull: Step<'pull', PullResult> = {
  name: 'pull',
  check(env) {
    if (env.repoUrl !== undefined) checkRepoUrl(env.repoUrl);
  },
  async run(ctx) {
    const { env } = ctx;
    const repoUrl = env.repoUrl;
    if (repoUrl === undefined) return pullLocal(ctx);
    const url = checkRepoUrl(repoUrl);
    const dir = cloneDir(env.root);
    const state = await withCloneLock(dir, async () => {
      // The deadline starts once the clone is ours: another run's pull is not charged to this one.
      const http = timedHttpClient(env.gitTimeoutMs, ctx.signal);
      const synced = await syncClone({
        dir, url: repoUrl, branch: env.repoBranch, token: env.gitToken, username: env.gitUsername, http, signal: http.signal, log: ctx.log,
        reuse: ctx.trigger.parentRunId !== undefined,
      }).catch((error: unknown) => {
        throw gitError(error, {
          host: url.host, branch: env.repoBranch, hasToken: env.gitToken !== undefined,
          timedOut: http.timedOut, timeoutMs: env.gitTimeoutMs,
        });
      }).finally(() => http.dispose());
      await checkDbFile(dir, ctx); // before the lock lets a reader near the checkout
      return synced;
    });
    ctx.recordCommit(state.commit);
    ctx.log.info({ commit: state.commit, previous: state.previous, action: state.action, branch: env.repoBranch }, 'repository pulled');
    return { ...state, remote: true, branch: env.repoBranch };
  },
};

/** No remote: nothing to fetch; only the stack root's own HEAD is recorded, read without loading a git library. */
async function pullLocal(ctx: StepContext): Promise<PullResult> {
  const commit = await localHead(ctx.env.root);
  if (commit !== undefined) ctx.recordCommit(commit);
  ctx.log.info({ commit }, 'no remote configured');
  return { commit, remote: false, branch: undefined, previous: undefined, action: 'local' };
}
