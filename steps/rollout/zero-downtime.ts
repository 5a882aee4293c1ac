import type { Logger } from 'pino';
import { isRailyardError } from '../../core/errors.ts';
import { composeUp, composeProjectName, type ComposeTarget } from '../../runtime/compose.ts';
import { removeContainers } from '../../runtime/container-ops.ts';
import { LABEL_PROJECT, LABEL_SERVICE, listContainers, type ServiceContainer } from '../../runtime/containers.ts';
import type { DockerClient } from '../../runtime/docker.ts';
import { watchContainerEvents } from '../../runtime/events.ts';
import { waitAllReady } from '../../runtime/wait-healthy.ts';
import type { PlannedService } from '../diff/plan.ts';
import { drainAndStop, throwIfAborted } from './drain.ts';
import { readyPolicy } from './health.ts';
import { engineGone, rollBack } from './roll-back.ts';

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
  const desired = entry.desired!;
  const { service } = entry;
  const { signal, log } = options;
  await removeIdle(docker, entry.containers);
  const old = entry.containers.filter((c) => c.state === 'running');
  const oldIds = new Set(old.map((c) => c.id));
  const watch = await watchContainerEvents(docker, [`${LABEL_PROJECT}=${composeProjectName(entry.project)}`, `${LABEL_SERVICE}=${service}`]);
  try {
    await composeUp(target, { services: [service], noDeps: true, noRecreate: true, scale: { [service]: old.length + desired.replicas } });
    throwIfAborted(signal);
    const fresh = (await listContainers(docker, { project: entry.project, service })).filter((c) => !oldIds.has(c.id));
    log.info({ service, old: old.length, new: fresh.length }, 'scaled up');
    const state: { old: ServiceContainer[]; fresh: ServiceContainer[]; phase: 'wait' | 'drain' } = { old, fresh, phase: 'wait' };
    try {
      const policies = await Promise.all(fresh.map((c) => readyPolicy(docker, c.id, desired.rollout)));
      const outcomes = await waitAllReady(watch, policies.map((p) => p.policy), new Map(policies.map((p) => [p.policy.id, p.health ?? ''])), signal);
      throwIfAborted(signal);
      const failed = outcomes.find((o) => !o.ok);
      if (failed !== undefined && !failed.ok) await rollBack(docker, entry, { old, fresh, failed });
      const readyAt = Math.max(...outcomes.map((o) => (o.ok ? o.at : 0)));
      state.phase = 'drain';
      await drainAndStop(docker, watch, old, { rollout: desired.rollout, traefikApiUrl: options.traefikApiUrl, signal, log });
      return { readyAt, doneAt: Date.now() };
    } catch (error) {
      // Only rollBack's own report already carries the state; any other unreachable engine gets it here.
      if (isRailyardError(error, 'DOCKER_UNREACHABLE') && (error.data as { lastKnown?: unknown } | undefined)?.lastKnown === undefined) {
        throw engineGone(docker, entry, state, error);
      }
      throw error;
    }
  } finally {
    watch.close();
  }
}

/** Containers that serve nothing (created, exited) from an interrupted run: remove before scaling. */
async function removeIdle(docker: DockerClient, containers: readonly ServiceContainer[]): Promise<void> {
  const idle = containers.filter((c) => c.state !== 'running');
  await removeContainers(docker, idle.map((c) => c.id));
}
