import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { gitHttpRequest } from './git-lib.ts';

/** isomorphic-git's HTTP client with a timeout; `timedOut` tells a timeout from other failures. */
export interface TimedHttpClient extends HttpClient {
  readonly timedOut: boolean;
}

/**
 * An HTTP client for isomorphic-git (Node's fetch) where every request fails
 * after `idleMs` without progress (no response, or no body chunk), and when
 * `signal` aborts. An idle limit rather than a total one: a large clone on a
 * slow link is fine as long as bytes keep coming.
 */
export function timedHttpClient(idleMs: number, signal: AbortSignal): TimedHttpClient {
  let timedOut = false;
  return {
    get timedOut() {
      return timedOut;
    },
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      const controller = new AbortController();
      const onAbort = (): void => controller.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort(new Error(`no progress for ${idleMs} ms`));
        }, idleMs).unref();
      };
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      arm();
      try {
        const response = await (await gitHttpRequest())({ ...request, signal: controller.signal });
        if (response.body === undefined) {
          done();
          return response;
        }
        arm();
        return { ...response, body: watch(response.body, arm, done) };
      } catch (error) {
        done();
        throw error;
      }
    },
  };
}

async function* watch(body: AsyncIterable<Uint8Array>, onChunk: () => void, done: () => void): AsyncIterableIterator<Uint8Array> {
  try {
    for await (const chunk of body) {
      onChunk();
      yield chunk;
    }
  } finally {
    done();
  }
}
