import { projectHistory, projectView, readEngine } from '../app/project-status.ts';
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
    ...projectHistory(ctx.deps.store, project.name),
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

