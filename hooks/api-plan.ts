import { RailyardError } from '../core/errors.ts';
import type { RequestContext } from './context.ts';
import type { Reply } from './respond.ts';
import { checkName } from './targets.ts';

/** One service's line of a plan, as the API and the dashboard show it. */
export interface PlanLine {
  readonly project: string;
  readonly service: string;
  readonly action: string;
  readonly reason: string;
  readonly warnings: readonly string[];
  /** The unified diff of its compose block; null when unchanged. */
  readonly diff: string | null;
}

export interface PlanBody {
  readonly changes: number;
  readonly plan: readonly PlanLine[];
}

/**
 * What `apply` would do now, as `railyard plan` computes it: db.yml rendered
 * in memory (nothing is written) and compared with the running containers
 * (one Docker list call). Read-only.
 */
export async function computePlan(ctx: RequestContext): Promise<PlanBody> {
  const project = ctx.url.query.get('project') || undefined;
  const service = ctx.url.query.get('service') || undefined;
  if (project !== undefined) checkName('project', project);
  if (service !== undefined) checkName('service', service);
  if (service !== undefined && project === undefined) throw new RailyardError('USAGE', 'service needs project');
  const config = await ctx.config.db.current();
  if (project !== undefined && !config.projects.some((p) => p.name.toLowerCase() === project.toLowerCase())) {
    throw new RailyardError('PROJECT_NOT_FOUND', `db.yml has no project ${JSON.stringify(project)}`);
  }
  const { env } = ctx.config;
  // Loaded at the first plan: the HTTP thread answers deliveries without the render and diff code (issue 17 item 6).
  const [{ renderPreview }, { computeDiff, desiredFromRender }] = await Promise.all([import('../steps/render/render-to-disk.ts'), import('../steps/diff/index.ts')]);
  const docker = ctx.deps.docker.docker;
  // As `railyard plan` renders: the stack's identity, the kept subnets and the memo (or the one project alone); nothing written.
  const stack = await renderPreview(config, env, { root: env.root, networkPool: env.networkPool, docker, ...(project !== undefined && { only: project }) });
  const result = await computeDiff(docker, desiredFromRender(stack, config, env.root, env), { project, service }, env.root);
  return {
    changes: result.changes,
    plan: result.plan.map((entry) => ({
      project: entry.project, service: entry.service, action: entry.action, reason: entry.reason, warnings: entry.warnings,
      diff: result.diffs[`${entry.project}/${entry.service}`] ?? null,
    })),
  };
}

/** `GET /api/plan[?project=&service=]` (API key): the plan, per service action, reason and diff. */
export async function getPlan(ctx: RequestContext): Promise<Reply> {
  return { status: 200, body: await computePlan(ctx) };
}
