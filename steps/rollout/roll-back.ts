import { RailyardError, isRailyardError } from '../../core/errors.ts';
import { removeContainers } from '../../runtime/container-ops.ts';
import type { ServiceContainer } from '../../runtime/containers.ts';
import { dockerEndpoint, unreachable, type DockerClient } from '../../runtime/docker.ts';
import { tailLogs } from '../../runtime/logs.ts';
import type { ReadyOutcome } from '../../runtime/wait-healthy.ts';
import type { PlannedService } from '../diff/plan.ts';

export interface RollBackInput {
  readonly old: readonly ServiceContainer[];
  readonly fresh: readonly ServiceContainer[];
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
    throw engineGone(docker, entry, input, error);
  }
  throw new RailyardError('ROLLOUT_UNHEALTHY', `${entry.service}: new container ${failed.reason}; rolled back, the old containers keep serving`, {
    project: entry.project,
    data: { service: entry.service, container: failed.id, reason: failed.reason, logs },
  });
}

function engineGone(docker: DockerClient, entry: PlannedService, input: RollBackInput, cause: RailyardError): RailyardError {
  const names = (list: readonly ServiceContainer[]): string => list.map((c) => c.name).join(', ') || 'none';
  const message =
    `${entry.service}: Docker engine unreachable at ${dockerEndpoint(docker)} during the rollout; nothing was rolled back. ` +
    `Last known: old containers (${names(input.old)}) running, new containers (${names(input.fresh)}) created and not removed. ` +
    'Without live-restore the engine stops them all when it restarts; the next apply converges the service.';
  return new RailyardError('DOCKER_UNREACHABLE', message, {
    project: entry.project,
    cause,
    data: {
      service: entry.service,
      endpoint: dockerEndpoint(docker),
      rolledBack: false,
      lastKnown: {
        old: input.old.map((c) => ({ id: c.id, name: c.name, state: 'running' })),
        fresh: input.fresh.map((c) => ({ id: c.id, name: c.name, state: 'created, not removed' })),
      },
    },
  });
}
