import { RailyardError } from '../core/errors.ts';
import type { DbConfig, Project } from '../config/db-types.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import { listContainers, type ServiceContainer } from '../runtime/containers.ts';
import type { DockerClient } from '../runtime/docker.ts';
import { swarmServiceTasks } from '../runtime/swarm-tasks.ts';
import { composeServiceName } from '../steps/render/routes.ts';
import { runJson } from './run-format.ts';

// Each project of db.yml with its services, desired against running: what
// GET /api/projects answers and `railyard status` prints.

/** What the engine runs, read once per request. */
export interface EngineState {
  /** undefined when the container listing failed. */
  readonly containers: readonly ServiceContainer[] | undefined;
  /** Swarm services by `<stack>_<service>`, with their tasks; undefined when no project is on swarm or the listing failed. */
  readonly swarm: ReadonlyMap<string, SwarmEntry> | undefined;
  /** Why the swarm could not be read (not a manager, say), for the body. */
  readonly swarmError?: string;
}

type SwarmEntry = Awaited<ReturnType<typeof swarmServiceTasks>>[number];
type NodeTasks = NonNullable<SwarmEntry['tasks']>['nodes'];

/** One service's desired and running state; `running` is null when the engine could not be read. */
export interface ServiceStatus {
  readonly name: string;
  readonly image: string | null;
  readonly desired: { readonly replicas: number };
  readonly running: {
    readonly containers: number;
    readonly healthy: number;
    readonly imageIds?: readonly string[];
    readonly states: readonly { readonly name: string; readonly state: string; readonly health: string | undefined }[];
    readonly tasks?: {
      readonly replicas: number | null;
      readonly desired: number;
      readonly running: number;
      readonly nodes: NodeTasks;
      readonly lostOn: readonly string[];
    };
  } | null;
}

/** The container listing (of `only`, when given) and, when db.yml (or `only`) has swarm projects, the swarm's services and tasks: side by side, once. */
export async function readEngine(docker: DockerClient, config: DbConfig, only?: Project): Promise<EngineState> {
  const swarmUsed = (only === undefined ? config.projects : [only]).some((p) => (p.runtime ?? config.runtime) === 'swarm');
  const [containers, swarm] = await Promise.all([
    // One project's status lists that project's containers, not the host's.
    listContainers(docker, only === undefined ? {} : { project: only.name }).catch(() => undefined),
    swarmUsed ? swarmServiceTasks(docker).then((list) => list, (error: unknown) => error as Error) : undefined,
  ]);
  if (swarm instanceof Error) {
    return { containers, swarm: undefined, swarmError: swarm instanceof RailyardError ? swarm.userMessage : 'the swarm services could not be listed' };
  }
  return { containers, swarm: swarm === undefined ? undefined : new Map(swarm.map((entry) => [entry.service.name, entry])) };
}

/** One project of GET /api/projects (without its history). Pure. */
export function projectView(config: DbConfig, project: Project, engine: EngineState | undefined) {
  const swarm = (project.runtime ?? config.runtime) === 'swarm';
  return {
    name: project.name,
    enabled: project.enabled,
    desired: project.enabled ? 'running' : 'stopped',
    runtime: swarm ? 'swarm' : 'compose',
    services: swarm ? swarmServices(project, engine) : services(project, engine?.containers),
    ...(swarm && engine?.swarmError !== undefined ? { swarmError: engine.swarmError } : {}),
  };
}

/**
 * A swarm project's services: running is the service's tasks, with per node
 * (hostname) the tasks Swarm wants there against those running, and tasks lost
 * with a node that is down. Swarm reports a task `running` only once its
 * healthcheck passed, so running tasks are the healthy ones.
 */
function swarmServices(project: Project, engine: EngineState | undefined): ServiceStatus[] {
  const stack = project.name.toLowerCase();
  return project.services.map((service) => {
    const entry = engine?.swarm?.get(`${stack}_${composeServiceName(project.name, service.host)}`);
    const tasks = entry?.tasks;
    return {
      name: service.host,
      image: service.image ?? null,
      desired: { replicas: project.enabled && service.image !== undefined ? service.replicas : 0 },
      running: engine?.swarm === undefined
        ? null
        : {
            containers: tasks?.running ?? 0,
            healthy: tasks?.running ?? 0,
            states: [],
            tasks: {
              /** The service spec's replicas (what Swarm is asked for), null when there is no such service. */
              replicas: entry?.service.replicas ?? null,
              desired: tasks?.desired ?? 0,
              running: tasks?.running ?? 0,
              nodes: tasks?.nodes ?? [],
              lostOn: tasks?.lostOn ?? [],
            },
          },
    };
  });
}

function services(project: Project, containers: readonly ServiceContainer[] | undefined): ServiceStatus[] {
  return project.services.map((service) => {
    const name = composeServiceName(project.name, service.host);
    const own = containers?.filter((c) => c.project === project.name.toLowerCase() && c.service === name);
    return {
      name: service.host,
      image: service.image ?? null,
      desired: { replicas: project.enabled && service.image !== undefined ? service.replicas : 0 },
      running: own === undefined
        ? null
        : {
            containers: own.filter((c) => c.state === 'running').length,
            healthy: own.filter((c) => c.state === 'running' && c.health === 'healthy').length,
            /** The image IDs (content digests) the running containers run. */
            imageIds: [...new Set(own.filter((c) => c.state === 'running').map((c) => c.imageId))],
            states: own.map((c) => ({ name: c.name, state: c.state, health: c.health })),
          },
    };
  });
}

export function projectHistory(store: RunStore, project: string): { lastRun: unknown; deployedCommit: string | null } {
  const [last] = store.listRuns({ project, limit: 1 });
  const deployed = store.listRuns({ project, status: 'succeeded', limit: 50 }).find((run) => run.commit !== undefined);
  return { lastRun: last === undefined ? null : runJson(last), deployedCommit: deployed?.commit ?? null };
}
