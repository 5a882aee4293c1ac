import type { Logger } from '../../core/logger.ts';
import { stackIdOf } from '../../runtime/containers.ts';
import type { EngineSource } from '../../runtime/engine-read.ts';
import { dataOnOtherNodes, type DataElsewhere } from '../../runtime/swarm-placement.ts';

/** The constant message of the run-log line; the CLI prints each line's `warning` (cli/backup.ts). */
export const SWARM_DATA_WARNING = 'backup misses data on another swarm node';

/** A check that hangs never holds a backup up for longer. */
const CHECK_TIMEOUT_MS = 5000;

/**
 * A backup archives this host's upstream/ only. On a swarm, a stateful
 * service with bind mounts whose tasks run on another node (a placement
 * constraint other than the default manager, say) keeps its data on that
 * node's disk, so it is not in the archive: warn, per service, in the run
 * log. Never fails the backup: a host without a swarm (or without Docker)
 * has nothing to warn about, and says at info level that it did not check.
 */
export async function warnSwarmData(source: EngineSource, root: string, log: Logger, timeoutMs = CHECK_TIMEOUT_MS): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const found = await Promise.race([dataOnOtherNodes(source, stackIdOf(root)), timeout]);
    if (found === 'timeout') {
      log.info({ timeoutMs }, 'swarm data placement not checked: the engine did not answer in time');
      return [];
    }
    if (found === undefined) return [];
    return found.services.map((service) => {
      const warning = swarmDataText(service, found.self);
      log.warn({ project: service.project, service: service.service, nodes: service.nodes, sources: service.sources, self: found.self, warning }, SWARM_DATA_WARNING);
      return warning;
    });
  } catch (error) {
    log.info({ code: (error as { code?: string }).code, err: error }, 'swarm data placement not checked');
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/** Pure: the one-line warning for a service. */
export function swarmDataText(service: DataElsewhere, self: string): string {
  const where = service.nodes.length === 1 ? `swarm node ${service.nodes[0]}` : `swarm nodes ${service.nodes.join(', ')}`;
  return `${service.service} (project ${service.project}) is stateful and runs on ${where}, not on ${self} where railyard runs: `
    + `its bind-mounted data (${service.sources.join(', ')}) is on that disk and not in this backup, which archives ${self}'s disk only`;
}
