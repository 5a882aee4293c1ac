import { RailyardError, isRailyardError } from '../../core/errors.ts';
import { removeContainers } from '../../runtime/container-ops.ts';
import type { ServiceContainer } from '../../runtime/containers.ts';
import { dockerEndpoint, unreachable, type DockerClient } from '../../runtime/docker.ts';
import { tailLogs } from '../../runtime/logs.ts';
import type { ReadyOutcome } from '../../runtime/wait-healthy.ts';
import type { PlannedService } from '../diff/plan.ts';

/** What the rollout knew of its containers when the engine went away. */
export interface RolloutState {
  readonly old: readonly ServiceContainer[];
  readonly fresh: readonly ServiceContainer[];
  /** `wait`: the new containers were not ready yet; `drain`: the old ones were being drained and stopped (moves on as the rollout does). */
  phase: 'wait' | 'drain';
}

export interface RollBackInput extends Omit<RolloutState, 'phase'> {
  readonly failed: ReadyOutcome & { ok: false };
}

/**
 * Removes the new containers and fails the rollout. Says "rolled back" only
 * when the engine confirmed the removal; when the engine is gone it says so
 * (DOCKER_UNREACHABLE), with the containers' last known state.
 */
export async function rollBack(docker: DockerClient, entry: PlannedService, input: RollBackInput): Promise<never> {
  const { failed, fresh } = input;
  const logs = failed.reason === 'engine gone' ? [] : await tailLogs(docker, failed.id, 20);
  try {
    if (failed.reason === 'engine gone') throw unreachable(docker, new Error('the event stream closed'));
    await removeContainers(docker, fresh.map((c) => c.id));
  } catch (error) {
    if (!isRailyardError(error, 'DOCKER_UNREACHABLE')) throw error;
    throw engineGone(docker, entry, { ...input, phase: 'wait' }, error);
  }
  throw new RailyardError('ROLLOUT_UNHEALTHY', `${entry.service}: new container ${failed.reason}; rolled back, the old containers keep serving`, {
    project: entry.project,
    data: { service: entry.service, container: failed.id, reason: failed.reason, logs },
  });
}

/** DOCKER_UNREACHABLE for a rollout cut off by the engine, with the containers' last known state. */
export function engineGone(docker: DockerClient, entry: PlannedService, state: RolloutState, cause: RailyardError): RailyardError {
  const names = (list: readonly ServiceContainer[]): string => list.map((c) => c.name).join(', ') || 'none';
  const known =
    state.phase === 'wait'
      ? `old containers (${names(state.old)}) running, new containers (${names(state.fresh)}) created, not yet healthy, not removed`
      : `new containers (${names(state.fresh)}) healthy, old containers (${names(state.old)}) being drained and stopped (some may be gone)`;
  const message =
    `${entry.service}: Docker engine unreachable at ${dockerEndpoint(docker)} during the rollout; nothing was rolled back. ` +
    `Last known: ${known}. Without live-restore the engine stops them all when it restarts; the next apply converges the service.`;
  const fresh = state.phase === 'wait' ? 'created, not removed' : 'healthy';
  const old = state.phase === 'wait' ? 'running' : 'draining';
  return new RailyardError('DOCKER_UNREACHABLE', message, {
    project: entry.project,
    cause,
    data: {
      service: entry.service,
      endpoint: dockerEndpoint(docker),
      rolledBack: false,
      phase: state.phase,
      lastKnown: {
        old: state.old.map((c) => ({ id: c.id, name: c.name, state: old })),
        fresh: state.fresh.map((c) => ({ id: c.id, name: c.name, state: fresh })),
      },
    },
  });
}
