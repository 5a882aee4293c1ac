import { setTimeout as sleep } from 'node:timers/promises';
import type { NotifyRequest } from './request.ts';

/** What one attempt came to: `retry` for what may pass later (a timeout, a 5xx, a refused connection). */
export type AttemptResult =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly retry: boolean; readonly error: string };

export interface DeliverOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** One attempt's time limit. */
  readonly timeoutMs: number;
  /** The wait before the 2nd attempt; doubled each time after. */
  readonly backoffMs: number;
  /** Aborts the attempt under way and the waits (railyard stopping). */
  readonly signal: AbortSignal;
  /** Called after each attempt; a final one has `last` set. */
  readonly onAttempt?: (result: AttemptResult, last: boolean) => void;
}

/**
 * One POST. Redirects are not followed: a POST that a redirect turns into a
 * GET, or sends with its body to another host, is not what the URL's owner
 * configured, so a 3xx is a failure that names where it pointed.
 */
export async function sendOnce(request: NotifyRequest, timeoutMs: number, signal: AbortSignal): Promise<AttemptResult> {
  try {
    const response = await fetch(request.url, {
      method: 'POST', headers: request.headers, body: request.body, redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await response.body?.cancel().catch(() => undefined);
    const { status } = response;
    if (status >= 200 && status < 300) return { ok: true, status };
    if (status >= 300 && status < 400) {
      return { ok: false, retry: false, error: `HTTP ${status}: redirects are not followed; configure the URL it points to` };
    }
    return { ok: false, retry: status >= 500 || status === 429 || status === 408, error: `HTTP ${status}` };
  } catch (error) {
    if (signal.aborted) return { ok: false, retry: false, error: 'railyard stopped before delivery' };
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, retry: true, error: `no answer within ${timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, retry: true, error: cause ?? (error as Error).message };
  }
}

/** Sends with retries (exponential backoff) on what may pass, up to `attempts`; resolves with the last result, never throws. */
export async function deliver(request: NotifyRequest, options: DeliverOptions): Promise<AttemptResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await sendOnce(request, options.timeoutMs, options.signal);
    const last = result.ok || !result.retry || attempt >= options.attempts || options.signal.aborted;
    options.onAttempt?.(result, last);
    if (last) return result;
    try {
      await sleep(options.backoffMs * 2 ** (attempt - 1), undefined, { signal: options.signal });
    } catch {
      const stopped: AttemptResult = { ok: false, retry: false, error: 'railyard stopped before delivery' };
      options.onAttempt?.(stopped, true);
      return stopped;
    }
  }
}
