import type { Env } from '../config/env.ts';
import { RailyardError } from '../core/errors.ts';
import { STACK, type TriggerRequest } from '../core/types.ts';

/** What a delivery asks for: a trigger, or why it is ignored. */
export type Decision =
  | { readonly ignored: string }
  | { readonly request: TriggerRequest };

interface PushPayload {
  readonly ref?: unknown;
  readonly after?: unknown;
  readonly deleted?: unknown;
  readonly repository?: Readonly<Record<string, unknown>>;
  readonly sender?: { readonly login?: unknown };
}

const URL_FIELDS = ['html_url', 'clone_url', 'git_url', 'ssh_url', 'url', 'svn_url'];

/**
 * A push to the config repo: only pushes to `refs/heads/<REPO_BRANCH>` of the
 * repository in REPO_URL (when set) start a sync; tags, branch deletions and
 * other branches or repositories are ignored, with the reason.
 */
export function pushDecision(payload: Readonly<Record<string, unknown>>, env: Pick<Env, 'repoUrl' | 'repoBranch'>): Decision {
  const push = payload as PushPayload;
  if (typeof push.ref !== 'string') throw new RailyardError('PAYLOAD_INVALID', 'A push payload needs a "ref"');
  const repository = typeof push.repository?.['full_name'] === 'string' ? push.repository['full_name'] : undefined;
  if (env.repoUrl !== undefined && !sameRepository(env.repoUrl, push.repository)) {
    return { ignored: `repository ${repository ?? '(unnamed)'} is not the one in REPO_URL` };
  }
  if (push.ref.startsWith('refs/tags/')) return { ignored: 'tag push' };
  if (push.deleted === true) return { ignored: 'branch deletion' };
  if (push.ref !== `refs/heads/${env.repoBranch}`) return { ignored: `push to ${push.ref}, not refs/heads/${env.repoBranch}` };
  const after = typeof push.after === 'string' && /^[0-9a-f]{40}$/.test(push.after) ? push.after : undefined;
  const sender = typeof push.sender?.login === 'string' ? push.sender.login : undefined;
  return {
    request: {
      pipeline: 'sync',
      project: STACK,
      trigger: {
        kind: 'push',
        ...(after !== undefined && { commit: after }),
        meta: { ref: push.ref, ...(repository !== undefined && { repository }), ...(sender !== undefined && { sender }) },
      },
    },
  };
}

/** REPO_URL against the URLs GitHub gives for the pushed repository: host and path, case and `.git` aside. */
function sameRepository(repoUrl: string, repository: Readonly<Record<string, unknown>> | undefined): boolean {
  const wanted = repoKey(repoUrl);
  return URL_FIELDS.some((field) => {
    const value = repository?.[field];
    return typeof value === 'string' && repoKey(value) === wanted;
  });
}

/** `https://user@GitHub.com/Owner/Repo.git/` and `git@github.com:owner/repo` both give `github.com/owner/repo`. */
export function repoKey(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/^[^@/]+@/, '')
    .replace(/^([^/:]+):(?!\d+\/)/, '$1/')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}
