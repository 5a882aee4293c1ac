import { runJson } from '../app/run-format.ts';
import type { Project } from '../config/db-types.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import { listContainers, type ServiceContainer } from '../runtime/containers.ts';
import { composeServiceName } from '../steps/render/routes.ts';
import type { RequestContext } from './context.ts';
import type { Reply } from './respond.ts';
import { resolveTarget } from './targets.ts';
import { acceptedBody } from './update-upstream.ts';

/**
 * `GET /api/projects`: each project of db.yml with its services, desired and
 * running state (one Docker list call; `null` when the engine is unreachable),
 * its last run and the commit it last deployed.
 */
export async function listProjects(ctx: RequestContext): Promise<Reply> {
  const config = await ctx.config.db.current();
  const containers = await runningContainers(ctx);
  const projects = config.projects.map((project) => ({
    name: project.name,
    enabled: project.enabled,
    desired: project.enabled ? 'running' : 'stopped',
    services: services(project, containers),
    ...history(ctx.deps.store, project.name),
  }));
  return { status: 200, body: { docker: { reachable: containers !== undefined }, projects } };
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

async function runningContainers(ctx: RequestContext): Promise<ServiceContainer[] | undefined> {
  if (!(await ctx.deps.docker.reachable())) return undefined;
  return listContainers(ctx.deps.docker.docker).catch(() => undefined);
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
