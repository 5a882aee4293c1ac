import { runJson } from '../app/run-format.ts';
import { RailyardError } from '../core/errors.ts';
import type { DbConfig, Project } from '../config/db-types.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import { listContainers, type ServiceContainer } from '../runtime/containers.ts';
import type { DockerClient } from '../runtime/docker.ts';
import { swarmServiceTasks } from '../runtime/swarm-tasks.ts';
import { composeServiceName } from '../steps/render/routes.ts';
import type { RequestContext } from './context.ts';
import type { Reply } from './respond.ts';
import { resolveTarget } from './targets.ts';
import { acceptedBody } from './update-upstream.ts';

/**
 * `GET /api/projects`: each project of db.yml with its services, desired and
 * running state (one container listing; for runtime: swarm projects one
 * service, one task and one node listing, with the tasks per node; `null`
 * when the engine is unreachable), its last run and the commit it last deployed.
 */
export async function listProjects(ctx: RequestContext): Promise<Reply> {
  const config = await ctx.config.db.current();
  const engine = (await ctx.deps.docker.reachable()) ? await readEngine(ctx.deps.docker.docker, config) : undefined;
  const projects = config.projects.map((project) => ({
    ...projectView(config, project, engine),
    ...history(ctx.deps.store, project.name),
  }));
  return { status: 200, body: { docker: { reachable: engine?.containers !== undefined }, projects } };
}

/** `POST /api/projects/:name/deploy[?service=]`: the deploy pipeline for one project (or service); 202 once journaled. */
export async function deployProject(ctx: RequestContext): Promise<Reply> {
  const target = await resolveTarget(ctx.config.db, ctx.params['name'], ctx.url.query.get('service') ?? undefined);
  const accepted = await ctx.deps.triggers.accept({
    pipeline: 'deploy',
    project: target.project,
    service: target.service,
    trigger: { kind: 'api', meta: { source: ctx.source } },
  });
  ctx.logFields['runId'] = accepted.runId;
  return { status: 202, body: acceptedBody(accepted) };
}

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

/** The container listing and, when db.yml has swarm projects, the swarm's services and tasks: side by side, once. */
export async function readEngine(docker: DockerClient, config: DbConfig): Promise<EngineState> {
  const swarmUsed = config.projects.some((p) => (p.runtime ?? config.runtime) === 'swarm');
  const [containers, swarm] = await Promise.all([
    listContainers(docker).catch(() => undefined),
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
function swarmServices(project: Project, engine: EngineState | undefined): unknown[] {
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

function services(project: Project, containers: readonly ServiceContainer[] | undefined): unknown[] {
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

function history(store: RunStore, project: string): { lastRun: unknown; deployedCommit: string | null } {
  const [last] = store.listRuns({ project, limit: 1 });
  const deployed = store.listRuns({ project, status: 'succeeded', limit: 50 }).find((run) => run.commit !== undefined);
  return { lastRun: last === undefined ? null : runJson(last), deployedCommit: deployed?.commit ?? null };
}
