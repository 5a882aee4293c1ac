import type { TraefikWait } from '../../config/env.ts';
import type { Logger } from 'pino';
import { isRailyardError, RailyardError } from '../../core/errors.ts';
import { composeUp, composeProjectName, type ComposeTarget } from '../../runtime/compose.ts';
import { removeContainers, startContainers } from '../../runtime/container-ops.ts';
import { LABEL_PROJECT, LABEL_SERVICE, listContainers, type ServiceContainer } from '../../runtime/containers.ts';
import type { DockerClient } from '../../runtime/docker.ts';
import { watchContainerEvents, type EventSource, type EventWatch } from '../../runtime/events.ts';
import { waitAllReady } from '../../runtime/wait-healthy.ts';
import type { PlannedService } from '../diff/plan.ts';
import { drainAndStop, prefetchDrainInfo, throwIfAborted, type DrainInfo } from './drain.ts';
import { readyPolicy } from './health.ts';
import { engineGone, rollBack, type RolloutState } from './roll-back.ts';

export interface RolloutTimings {
  /** Epoch ms of the last new container turning ready (its `healthy` event). */
  readonly readyAt: number;
  /** Epoch ms when the old containers were gone. */
  readonly doneAt: number;
}

export interface ZeroDowntimeOptions extends Partial<TraefikWait> {
  readonly log: Logger;
  /** The run's abort signal: every wait ends on it (SIGTERM with SHUTDOWN_GRACE). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The engine as a rollout reaches it: events over plain HTTP where it can, so
 * the watch and compose start before dockerode is loaded; `docker()` builds
 * (or returns) the dockerode client.
 */
export interface RolloutEngine {
  docker(): DockerClient;
  readonly events: EventSource;
}

/**
 * Zero-downtime rollout of one stateless service (issue 4): create old + N
 * with --no-recreate --no-start, start the new ones at once through the
 * Engine API (compose would start them one by one), wait for them on
 * Docker events, drain the old ones out of rotation (drain.ts), stop and
 * remove them. On failure the new containers go, the old stay.
 */
export async function zeroDowntime(engine: RolloutEngine, target: ComposeTarget, entry: PlannedService, options: ZeroDowntimeOptions): Promise<RolloutTimings> {
  const { service } = entry;
  const idle = entry.containers.filter((c) => c.state !== 'running');
  // Containers that serve nothing (created, exited) from an interrupted run: removed before scaling.
  if (idle.length > 0) await removeContainers(engine.docker(), idle.map((c) => c.id));
  const old = entry.containers.filter((c) => c.state === 'running');
  const oldIds = new Set(old.map((c) => c.id));
  const watch = await watchContainerEvents(engine.events, [`${LABEL_PROJECT}=${composeProjectName(entry.project)}`, `${LABEL_SERVICE}=${service}`]);
  try {
    await composeUp(target, { services: [service], noDeps: true, noRecreate: true, noStart: true, scale: { [service]: old.length + entry.desired!.replicas } });
    throwIfAborted(options.signal);
    // Listed and started over plain HTTP where the engine allows: dockerode loads while they start.
    const fresh = (await listContainers(engine.events, { project: entry.project, service })).filter((c) => !oldIds.has(c.id));
    const state: RolloutState = { old, fresh, phase: 'wait' };
    const started = startFresh(engine, service, fresh);
    started.catch(() => undefined); // awaited below; not unhandled while dockerode loads
    const docker = engine.docker();
    try {
      const drainInfo = prefetchDrainInfo(docker, watch, old);
      const [policies] = await Promise.all([Promise.all(fresh.map((c) => readyPolicy(docker, c.id, entry.desired!.rollout))), started]);
      options.log.info({ service, old: old.length, new: fresh.length }, 'scaled up');
      return await replace(docker, watch, entry, state, policies, drainInfo, options);
    } catch (error) {
      // rollBack's own report already carries the state; any other unreachable engine gets it here.
      if (isRailyardError(error, 'DOCKER_UNREACHABLE') && (error.data as { lastKnown?: unknown } | undefined)?.lastKnown === undefined) {
        throw engineGone(docker, entry, state, error);
      }
      throw error;
    }
  } finally {
    watch.close();
  }
}

/**
 * Starts the created containers together. When one cannot start, the new ones
 * go and the old keep serving, and the run fails with COMPOSE_FAILED as when
 * `compose up` itself started them.
 */
async function startFresh(engine: RolloutEngine, service: string, fresh: readonly ServiceContainer[]): Promise<void> {
  try {
    await startContainers(engine.events, fresh.map((c) => c.id));
  } catch (error) {
    if (isRailyardError(error, 'DOCKER_UNREACHABLE')) throw error;
    await removeContainers(engine.docker(), fresh.map((c) => c.id));
    const why = error instanceof Error ? error.message : String(error);
    throw new RailyardError('COMPOSE_FAILED', `${service}: a new container could not start (${why}); the new containers were removed, the old ones keep serving`, { cause: error });
  }
}

/** Waits for the new containers (or rolls back), then drains and stops the old; `state.phase` follows. */
async function replace(
  docker: DockerClient,
  watch: EventWatch,
  entry: PlannedService,
  state: RolloutState,
  policies: readonly Awaited<ReturnType<typeof readyPolicy>>[],
  drainInfo: DrainInfo,
  options: ZeroDowntimeOptions,
): Promise<RolloutTimings> {
  const { signal } = options;
  const rollout = entry.desired!.rollout;
  const outcomes = await waitAllReady(watch, policies.map((p) => p.policy), new Map(policies.map((p) => [p.policy.id, p.health ?? ''])), signal);
  throwIfAborted(signal);
  const failed = outcomes.find((o) => !o.ok);
  if (failed !== undefined && !failed.ok) await rollBack(docker, entry, { old: state.old, fresh: state.fresh, failed });
  const readyAt = Math.max(...outcomes.map((o) => (o.ok ? o.at : 0)));
  state.phase = 'drain';
  await drainAndStop(docker, watch, state.old, { ...options, rollout, signal }, drainInfo);
  return { readyAt, doneAt: Date.now() };
}

