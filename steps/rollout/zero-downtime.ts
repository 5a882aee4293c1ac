import type { Logger } from 'pino';
import { RailyardError } from '../../core/errors.ts';
import { composeUp, composeProjectName, type ComposeTarget } from '../../runtime/compose.ts';
import { removeContainers, stopAndRemove } from '../../runtime/container-ops.ts';
import { LABEL_PROJECT, LABEL_SERVICE, listContainers, type ServiceContainer } from '../../runtime/containers.ts';
import type { DockerClient } from '../../runtime/docker.ts';
import { parseDuration } from '../../runtime/duration.ts';
import { watchContainerEvents } from '../../runtime/events.ts';
import { tailLogs } from '../../runtime/logs.ts';
import { waitAllReady, type ReadyOutcome } from '../../runtime/wait-healthy.ts';
import type { PlannedService } from '../diff/plan.ts';
import { readyPolicy } from './health.ts';

export interface RolloutTimings {
  /** Epoch ms of the last new container turning ready (its `healthy` event). */
  readonly readyAt: number;
  /** Epoch ms when the old containers were gone. */
  readonly doneAt: number;
}

/**
 * Zero-downtime rollout of one stateless service (issue 4): scale to old + N
 * with --no-recreate, wait for the new containers on Docker events, drain,
 * stop and remove the old. On failure the new containers go, the old stay.
 */
export async function zeroDowntime(docker: DockerClient, target: ComposeTarget, entry: PlannedService, log: Logger): Promise<RolloutTimings> {
  const desired = entry.desired!;
  const service = entry.service;
  await removeIdle(docker, entry.containers);
  const old = entry.containers.filter((c) => c.state === 'running');
  const oldIds = new Set(old.map((c) => c.id));
  const watch = await watchContainerEvents(docker, [`${LABEL_PROJECT}=${composeProjectName(entry.project)}`, `${LABEL_SERVICE}=${service}`]);
  try {
    await composeUp(target, { services: [service], noDeps: true, noRecreate: true, scale: { [service]: old.length + desired.replicas } });
    const fresh = (await listContainers(docker, { project: entry.project, service })).filter((c) => !oldIds.has(c.id));
    log.info({ service, old: old.length, new: fresh.length }, 'scaled up');
    const policies = await Promise.all(fresh.map((c) => readyPolicy(docker, c.id, desired.rollout)));
    const outcomes = await waitAllReady(watch, policies.map((p) => p.policy), new Map(policies.map((p) => [p.policy.id, p.health ?? ''])));
    const failed = outcomes.find((o) => !o.ok);
    if (failed !== undefined) await rollBack(docker, entry, fresh, failed);
    const readyAt = Math.max(...outcomes.map((o) => (o.ok ? o.at : 0)));
    if (desired.rollout?.drain !== undefined) await sleep(parseDuration(desired.rollout.drain));
    await Promise.all(old.map((c) => stopAndRemove(docker, c.id)));
    return { readyAt, doneAt: Date.now() };
  } finally {
    watch.close();
  }
}

async function rollBack(docker: DockerClient, entry: PlannedService, fresh: readonly ServiceContainer[], failed: ReadyOutcome & { ok: false }): Promise<never> {
  const logs = await tailLogs(docker, failed.id, 20);
  await removeContainers(docker, fresh.map((c) => c.id));
  throw new RailyardError('ROLLOUT_UNHEALTHY', `${entry.service}: new container ${failed.reason}; rolled back, the old containers keep serving`, {
    project: entry.project,
    data: { service: entry.service, container: failed.id, reason: failed.reason, logs },
  });
}

/** Containers that serve nothing (created, exited) from an interrupted run: remove before scaling. */
async function removeIdle(docker: DockerClient, containers: readonly ServiceContainer[]): Promise<void> {
  const idle = containers.filter((c) => c.state !== 'running');
  await removeContainers(docker, idle.map((c) => c.id));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
