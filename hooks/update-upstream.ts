import type { Accepted } from '../core/types.ts';
import type { RequestContext } from './context.ts';
import type { Reply } from './respond.ts';
import { resolveTarget } from './targets.ts';

/**
 * `GET /update-upstream?project=&service=` and `GET /update-upstream/:project[/:service]`
 * (itsUP compatible): pulls the project's images and rolls out what changed,
 * through the `update` pipeline. 202 once the run is journaled; the deploy is
 * not waited for.
 */
export async function updateUpstream(ctx: RequestContext): Promise<Reply> {
  const project = ctx.params['project'] ?? ctx.url.query.get('project') ?? undefined;
  const service = ctx.params['service'] ?? ctx.url.query.get('service') ?? undefined;
  const target = await resolveTarget(ctx.config.db, project, service);
  const accepted = await ctx.deps.triggers.accept({
    pipeline: 'update',
    project: target.project,
    service: target.service,
    trigger: { kind: 'update-upstream', meta: { source: ctx.source } },
  });
  return { status: 202, body: acceptedBody(accepted) };
}

/** The 202 body of a trigger: the run, what it is for, and its status (a superseded run names the run doing the work). */
export function acceptedBody(accepted: Accepted): Record<string, unknown> {
  return {
    runId: accepted.runId,
    project: accepted.project,
    service: accepted.service ?? null,
    status: accepted.status,
    ...(accepted.supersededBy !== undefined && { supersededBy: accepted.supersededBy }),
  };
}
