import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { gitHttpRequest } from './git-lib.ts';

/** isomorphic-git's HTTP client under one deadline; `timedOut` tells the deadline from other failures. */
export interface TimedHttpClient extends HttpClient {
  readonly timedOut: boolean;
  /** Aborts at the deadline or with the run: the pull stops there, it does not clone again. */
  readonly signal: AbortSignal;
  /** Clears the deadline (the pull is over). */
  dispose(): void;
}

/**
 * An HTTP client for isomorphic-git (Node's fetch) whose requests all fail
 * once `deadlineMs` have passed since it was made, and when `signal` aborts.
 * A total deadline rather than an idle one: a server trickling a byte now and
 * then would never be idle long enough, and the pull would hold its project's
 * queue forever.
 */
export function timedHttpClient(deadlineMs: number, signal: AbortSignal): TimedHttpClient {
  let timedOut = false;
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    timedOut = true;
    // A TimeoutError: isRemoteProblem takes it for what it is, not for a broken clone.
    deadline.abort(new DOMException(`the pull did not finish within ${deadlineMs} ms`, 'TimeoutError'));
  }, deadlineMs);
  timer.unref();
  const both = AbortSignal.any([signal, deadline.signal]);
  return {
    get timedOut() {
      return timedOut;
    },
    signal: both,
    dispose: () => clearTimeout(timer),
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      both.throwIfAborted();
      const response = await (await gitHttpRequest())({ ...request, signal: both });
      return response.body === undefined ? response : { ...response, body: stopping(response.body, both) };
    },
  };
}

/** The body, ending with the abort reason as soon as `signal` aborts, even between two chunks. */
async function* stopping(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncIterableIterator<Uint8Array> {
  for await (const chunk of body) {
    signal.throwIfAborted();
    yield chunk;
  }
}
