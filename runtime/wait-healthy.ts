import { STREAM_CLOSED, type ContainerEvent, type EventWatch } from './events.ts';

/** How to decide that one new container is ready. */
export interface ReadyPolicy {
  readonly id: string;
  /** Wait for `health_status: healthy`; otherwise the container must settle. */
  readonly hasHealthcheck: boolean;
  /** Give up after this long (healthcheck containers). */
  readonly timeoutMs: number;
  /** Time a container without healthcheck must keep running without restarts. */
  readonly settleMs: number;
}

export type ReadyOutcome =
  | { readonly ok: true; readonly id: string; /** Epoch ms of the healthy event (or the end of the settle time). */ readonly at: number }
  | { readonly ok: false; readonly id: string; readonly reason: 'exited' | 'unhealthy' | 'timeout' | 'restarted' | 'aborted' | 'engine gone' };

const FATAL: Readonly<Record<string, 'exited' | 'unhealthy' | 'restarted'>> = {
  die: 'exited',
  oom: 'exited',
  destroy: 'exited',
  'health_status: unhealthy': 'unhealthy',
  restart: 'restarted',
};

/**
 * Waits, on Docker events only (no polling), until one container is ready or
 * has failed. `initialHealth` is the status read when the wait begins, so a
 * container that turned healthy before the call resolves at once.
 */
export function waitReady(watch: EventWatch, policy: ReadyPolicy, initialHealth?: string, signal?: AbortSignal): Promise<ReadyOutcome> {
  return new Promise((resolve) => {
    const done = (outcome: ReadyOutcome): void => {
      clearTimeout(timer);
      unsubscribe?.();
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => done({ ok: false, id: policy.id, reason: 'aborted' });
    const onEvent = (event: ContainerEvent): void => {
      if (event.Action === STREAM_CLOSED) return done({ ok: false, id: policy.id, reason: 'engine gone' });
      if (event.id !== policy.id) return;
      const fatal = FATAL[event.Action];
      if (fatal !== undefined) done({ ok: false, id: policy.id, reason: fatal });
      else if (policy.hasHealthcheck && event.Action === 'health_status: healthy') done({ ok: true, id: policy.id, at: event.timeNano / 1e6 });
    };
    const timer = policy.hasHealthcheck
      ? setTimeout(() => done({ ok: false, id: policy.id, reason: 'timeout' }), policy.timeoutMs)
      : setTimeout(() => done({ ok: true, id: policy.id, at: Date.now() }), policy.settleMs);
    let unsubscribe: (() => void) | undefined;
    if (policy.hasHealthcheck && initialHealth === 'healthy') return done({ ok: true, id: policy.id, at: Date.now() });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    unsubscribe = watch.subscribe(onEvent);
  });
}

/** Waits for all containers; resolves with the first failure as soon as one fails, or with all successes. */
export async function waitAllReady(
  watch: EventWatch,
  policies: readonly ReadyPolicy[],
  initialHealth: ReadonlyMap<string, string>,
  signal?: AbortSignal,
): Promise<ReadyOutcome[]> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    const waits = policies.map((p) =>
      waitReady(watch, p, initialHealth.get(p.id), controller.signal).then((outcome) => {
        if (!outcome.ok && outcome.reason !== 'aborted') controller.abort();
        return outcome;
      }),
    );
    const outcomes = await Promise.all(waits);
    const failed = outcomes.find((o) => !o.ok && o.reason !== 'aborted') ?? outcomes.find((o) => !o.ok);
    return failed ? [failed, ...outcomes.filter((o) => o !== failed)] : outcomes;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

export type UnhealthyOutcome = 'unhealthy' | 'gone' | 'timeout' | 'aborted' | 'engine gone';

/**
 * Waits for a draining container's `health_status: unhealthy` event, seen
 * after event number `from` of the watch (events before the marker went in
 * do not count). `gone` when it died or was removed first.
 */
export function waitUnhealthy(watch: EventWatch, id: string, from: number, timeoutMs: number, signal?: AbortSignal): Promise<UnhealthyOutcome> {
  return new Promise((resolve) => {
    let index = 0;
    let unsubscribe: (() => void) | undefined;
    let settled = false;
    const done = (outcome: UnhealthyOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe?.();
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => done('aborted');
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    unsubscribe = watch.subscribe((event) => {
      if (index++ < from) return;
      if (event.Action === STREAM_CLOSED) return done('engine gone');
      if (event.id !== id) return;
      if (event.Action === 'health_status: unhealthy') done('unhealthy');
      else if (event.Action === 'die' || event.Action === 'destroy') done('gone');
    });
    if (settled) unsubscribe();
  });
}
