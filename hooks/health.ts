import type { RequestContext } from './context.ts';
import type { Reply } from './respond.ts';

/** Longer than railyard's own transactions take, far shorter than a stuck lock. */
const STORE_WAIT_MS = 250;

/**
 * `GET /healthz`, without auth: whether railyard answers, whether the Docker
 * engine does, whether the run store takes writes (`busy` while another
 * process holds its lock), and the queue. No secrets, no config.
 */
export async function health(ctx: RequestContext): Promise<Reply> {
  const reachable = await ctx.deps.docker.reachable();
  // Reads go on while another connection holds the write lock (WAL); writes, and so runs, wait.
  const store = ctx.deps.store.writable(STORE_WAIT_MS) ? 'ok' : 'busy';
  const counts = ctx.deps.store.countRuns();
  const sum = (status: string): number => counts.filter((c) => c.status === status).reduce((n, c) => n + c.count, 0);
  return {
    status: 200,
    body: { status: reachable && store === 'ok' ? 'ok' : 'degraded', docker: { reachable }, store, queue: { depth: sum('queued'), running: sum('running') } },
  };
}
