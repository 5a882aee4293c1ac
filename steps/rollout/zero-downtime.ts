import type { Logger } from 'pino';
import { isRailyardError } from '../../core/errors.ts';
import { composeUp, composeProjectName, type ComposeTarget } from '../../runtime/compose.ts';
import { removeContainers } from '../../runtime/container-ops.ts';
import { LABEL_PROJECT, LABEL_SERVICE, listContainers, type ServiceContainer } from '../../runtime/containers.ts';
import type { DockerClient } from '../../runtime/docker.ts';
import { watchContainerEvents, type EventWatch } from '../../runtime/events.ts';
import { waitAllReady } from '../../runtime/wait-healthy.ts';
import type { PlannedService } from '../diff/plan.ts';
import { drainAndStop, throwIfAborted } from './drain.ts';
import { readyPolicy } from './health.ts';
import { engineGone, rollBack, type RolloutState } from './roll-back.ts';

export interface RolloutTimings {
  /** Epoch ms of the last new container turning ready (its `healthy` event). */
  readonly readyAt: number;
  /** Epoch ms when the old containers were gone. */
  readonly doneAt: number;
}

export interface ZeroDowntimeOptions {
  readonly log: Logger;
  /** The run's abort signal: every wait ends on it (SIGTERM with SHUTDOWN_GRACE). */
  readonly signal?: AbortSignal | undefined;
  readonly traefikApiUrl?: string | undefined;
}

/**
 * Zero-downtime rollout of one stateless service (issue 4): scale to old + N
 * with --no-recreate, wait for the new containers on Docker events, drain the
 * old ones out of rotation (drain.ts), stop and remove them. On failure the
 * new containers go, the old stay.
 */
export async function zeroDowntime(docker: DockerClient, target: ComposeTarget, entry: PlannedService, options: ZeroDowntimeOptions): Promise<RolloutTimings> {
  const { service } = entry;
  await removeIdle(docker, entry.containers);
  const old = entry.containers.filter((c) => c.state === 'running');
  const oldIds = new Set(old.map((c) => c.id));
  const watch = await watchContainerEvents(docker, [`${LABEL_PROJECT}=${composeProjectName(entry.project)}`, `${LABEL_SERVICE}=${service}`]);
  try {
    await composeUp(target, { services: [service], noDeps: true, noRecreate: true, scale: { [service]: old.length + entry.desired!.replicas } });
    throwIfAborted(options.signal);
    const fresh = (await listContainers(docker, { project: entry.project, service })).filter((c) => !oldIds.has(c.id));
    options.log.info({ service, old: old.length, new: fresh.length }, 'scaled up');
    const state: RolloutState = { old, fresh, phase: 'wait' };
    try {
      return await replace(docker, watch, entry, state, options);
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

/** Waits for the new containers (or rolls back), then drains and stops the old; `state.phase` follows. */
async function replace(
  docker: DockerClient,
  watch: EventWatch,
  entry: PlannedService,
  state: RolloutState,
  options: ZeroDowntimeOptions,
): Promise<RolloutTimings> {
  const { signal, log } = options;
  const rollout = entry.desired!.rollout;
  const policies = await Promise.all(state.fresh.map((c) => readyPolicy(docker, c.id, rollout)));
  const outcomes = await waitAllReady(watch, policies.map((p) => p.policy), new Map(policies.map((p) => [p.policy.id, p.health ?? ''])), signal);
  throwIfAborted(signal);
  const failed = outcomes.find((o) => !o.ok);
  if (failed !== undefined && !failed.ok) await rollBack(docker, entry, { old: state.old, fresh: state.fresh, failed });
  const readyAt = Math.max(...outcomes.map((o) => (o.ok ? o.at : 0)));
  state.phase = 'drain';
  await drainAndStop(docker, watch, state.old, { rollout, traefikApiUrl: options.traefikApiUrl, signal, log });
  return { readyAt, doneAt: Date.now() };
}

/** Containers that serve nothing (created, exited) from an interrupted run: remove before scaling. */
async function removeIdle(docker: DockerClient, containers: readonly ServiceContainer[]): Promise<void> {
  const idle = containers.filter((c) => c.state !== 'running');
  await removeContainers(docker, idle.map((c) => c.id));
}
