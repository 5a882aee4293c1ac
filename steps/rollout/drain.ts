import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Rollout } from '../../config/db-types.ts';
import { TRAEFIK_THROTTLE_DEFAULT_MS, type TraefikWait } from '../../config/env.ts';
import { inspectHealth, markDraining, stopAndRemove, type HealthInfo } from '../../runtime/container-ops.ts';
import type { ServiceContainer } from '../../runtime/containers.ts';
import type { DockerClient } from '../../runtime/docker.ts';
import { parseDuration } from '../../runtime/duration.ts';
import type { EventWatch } from '../../runtime/events.ts';
import { waitTraefikDropped } from '../../runtime/traefik-servers.ts';
import { waitUnhealthy } from '../../runtime/wait-healthy.ts';
import { hasDrainGuard } from '../render/drain-healthcheck.ts';
import { TIMEOUT_MARGIN_MS } from './health.ts';

/** With TRAEFIK_API_URL, wait until Traefik no longer lists a drained container; without it, TRAEFIK_THROTTLE_MS (@default TRAEFIK_THROTTLE_DEFAULT_MS). */
export interface DrainOptions extends Partial<TraefikWait> {
  readonly rollout: Rollout | undefined;
  readonly signal: AbortSignal | undefined;
  readonly log: Logger;
}

const NS_PER_MS = 1e6;
/** Docker's defaults for a healthcheck field left at 0. */
const CHECK_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3 };
/** Traefik's docker provider applies changes throttled (2 s by default): allow it a few rounds. */
const TRAEFIK_DROP_TIMEOUT_MS = 15_000;
/** Traefik's API is read until it drops the container: a local read, so often (the stop waits on it). */
const TRAEFIK_POLL_MS = 25;
/**
 * Out of rotation is not idle: requests the proxy forwarded just before it
 * dropped the container are still being answered, and a server that dies at
 * once on SIGTERM (busybox httpd) would reset them (seen: 1 in ~2,500 probes
 * at a 25 ms Traefik poll). They get this long before the stop signal.
 */
export const IN_FLIGHT_GRACE_MS = 250;

/** Each old container's inspect, read while the new containers start, with the watch position it was read at. */
export type DrainInfo = ReadonlyMap<string, Promise<{ readonly info: HealthInfo; readonly from: number } | undefined>>;

/**
 * Reads the old containers' healthcheck, IPs and stop grace period ahead of
 * the drain (they do not change); a failed read is left to the drain itself.
 */
export function prefetchDrainInfo(docker: DockerClient, watch: EventWatch, old: readonly ServiceContainer[]): DrainInfo {
  return new Map(old.map((c) => {
    const from = watch.seen.length;
    return [c.id, inspectHealth(docker, c.id).then((info) => ({ info, from }), () => undefined)];
  }));
}

/** The container's health now: the last `health_status` event since the inspect at `from`, else what the inspect said. */
function healthNow(watch: EventWatch, id: string, read: { readonly info: HealthInfo; readonly from: number }): string | undefined {
  for (let i = watch.seen.length - 1; i >= read.from; i--) {
    const event = watch.seen[i]!;
    if (event.id === id && event.Action.startsWith('health_status: ')) return event.Action.slice('health_status: '.length);
  }
  return read.info.health;
}

/**
 * Takes each old container out of rotation, then stops (within its grace
 * period) and removes it. With railyard's drain guard in its healthcheck:
 * marker in, wait for `unhealthy` (bounded by (interval + timeout) × retries),
 * then for Traefik to drop it. Without the guard: sleep `rollout.drain`.
 */
export async function drainAndStop(docker: DockerClient, watch: EventWatch, old: readonly ServiceContainer[], options: DrainOptions, prefetched?: DrainInfo): Promise<void> {
  await Promise.all(old.map((c) => drainOne(docker, watch, c, options, prefetched?.get(c.id))));
}

async function drainOne(
  docker: DockerClient,
  watch: EventWatch,
  container: ServiceContainer,
  options: DrainOptions,
  prefetched: DrainInfo extends ReadonlyMap<string, infer P> ? P | undefined : never,
): Promise<void> {
  const read = (await prefetched) ?? { info: await inspectHealth(docker, container.id), from: watch.seen.length };
  const { check, ips, stopTimeout } = read.info;
  const health = healthNow(watch, container.id, read);
  const started = Date.now();
  let how = 'rollout.drain';
  const guarded = hasDrainGuard(check?.test);
  options.log.info({ container: container.name, marker: guarded }, 'draining');
  if (guarded) {
    const from = watch.seen.length;
    if (await markDraining(docker, container.id)) {
      const bound =
        (ms(check?.intervalNs, CHECK_DEFAULTS.intervalMs) + ms(check?.timeoutNs, CHECK_DEFAULTS.timeoutMs)) * (check?.retries || CHECK_DEFAULTS.retries) +
        TIMEOUT_MARGIN_MS;
      const outcome = health === 'unhealthy' ? 'unhealthy' : await waitUnhealthy(watch, container.id, from, bound, options.signal);
      throwIfAborted(options.signal);
      if (outcome === 'engine gone') throw await engineGoneDuringDrain(docker, container);
      if (outcome === 'timeout') options.log.warn({ container: container.name, ms: bound }, 'drain marker: no unhealthy event in time');
      if (outcome === 'unhealthy') {
        await outOfTraefik(container, ips, options);
        await abortableSleep(IN_FLIGHT_GRACE_MS, options.signal);
      }
      how = outcome === 'unhealthy' ? 'marker' : `marker (${outcome})`;
    } else {
      options.log.warn({ container: container.name }, 'drain marker could not be written; falling back to rollout.drain');
    }
  }
  if (!how.startsWith('marker') && options.rollout?.drain !== undefined) await abortableSleep(parseDuration(options.rollout.drain), options.signal);
  options.log.info({ container: container.name, how, ms: Date.now() - started }, 'container drained');
  await stopAndRemove(docker, container.id, stopTimeout);
}

/**
 * Once the container is unhealthy: with TRAEFIK_API_URL, until Traefik no
 * longer lists its addresses (an unreadable API falls back to the throttle);
 * without it, Traefik's reload throttle, the longest it may still route there.
 */
async function outOfTraefik(container: ServiceContainer, ips: readonly string[], options: DrainOptions): Promise<void> {
  const throttle = options.traefikThrottleMs ?? TRAEFIK_THROTTLE_DEFAULT_MS;
  if (options.traefikApiUrl !== undefined && ips.length > 0) {
    try {
      const dropped = await waitTraefikDropped(options.traefikApiUrl, ips, TRAEFIK_DROP_TIMEOUT_MS, options.signal, TRAEFIK_POLL_MS);
      if (!dropped) options.log.warn({ container: container.name }, 'Traefik still lists the draining container');
      return;
    } catch (error) {
      throwIfAborted(options.signal);
      options.log.warn({ container: container.name, err: error, ms: throttle }, 'Traefik API unreadable; waiting out its reload throttle instead');
    }
  } else {
    const why = options.traefikApiUrl === undefined ? 'no TRAEFIK_API_URL to ask' : 'no address of it to look for in Traefik\'s API';
    options.log.info({ container: container.name, ms: throttle }, `waiting out Traefik's reload throttle (${why})`);
  }
  await abortableSleep(throttle, options.signal);
}

function ms(ns: number | undefined, fallback: number): number {
  return ns !== undefined && ns > 0 ? ns / NS_PER_MS : fallback;
}

/** The run's abort reason (RUN_INTERRUPTED on SIGTERM) when its signal fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}

export async function abortableSleep(msToWait: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(msToWait, undefined, signal ? { signal } : {});
  } catch (error) {
    throwIfAborted(signal);
    throw error;
  }
}

async function engineGoneDuringDrain(docker: DockerClient, container: ServiceContainer): Promise<unknown> {
  // The inspect answers with DOCKER_UNREACHABLE when the engine is really gone.
  return inspectHealth(docker, container.id).then(
    () => new Error(`the engine's event stream closed while ${container.name} drained`),
    (error: unknown) => error,
  );
}
