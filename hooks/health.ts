import type { RequestContext } from './context.ts';
import type { Reply } from './respond.ts';

/**
 * `GET /healthz`, without auth: whether railyard answers, whether the Docker
 * engine does, and the queue. No secrets, no config.
 */
export async function health(ctx: RequestContext): Promise<Reply> {
  const reachable = await ctx.deps.docker.reachable();
  const counts = ctx.deps.store.countRuns();
  const sum = (status: string): number => counts.filter((c) => c.status === status).reduce((n, c) => n + c.count, 0);
  return {
    status: 200,
    body: { status: reachable ? 'ok' : 'degraded', docker: { reachable }, queue: { depth: sum('queued'), running: sum('running') } },
  };
}
