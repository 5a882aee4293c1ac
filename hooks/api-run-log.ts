import { setTimeout as sleep } from 'node:timers/promises';
import { logLine } from '../app/run-format.ts';
import { FINAL_STATUSES } from '../core/types.ts';
import { findRun } from './api-runs.ts';
import type { RequestContext } from './context.ts';
import { sendText } from './respond.ts';

/** The store receives a run's log in batches every 250 ms (pipeline/run-log.ts). */
const POLL_MS = 250;
/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * `GET /api/runs/:id/log`. While the run is queued or running: server-sent
 * events, one `log` event per stored line (JSON, `id` = line number, so
 * `Last-Event-ID` resumes), then an `end` event with the final status, and the
 * stream ends. Once the run has ended: its log as plain text.
 */
export async function runLog(ctx: RequestContext): Promise<undefined> {
  const run = findRun(ctx);
  const { store } = ctx.deps;
  if (FINAL_STATUSES.includes(run.status)) {
    const lines = store.logOf(run.id).map(logLine);
    sendText(ctx.res, 200, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
    return undefined;
  }
  const { res, signal } = ctx;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let sent = Math.max(0, Number(ctx.req.headers['last-event-id'] ?? -1) + 1) || 0;
  let quietSince = Date.now();
  for (;;) {
    const current = store.getRun(run.id);
    const lines = store.logOf(run.id);
    if (sent < lines.length) quietSince = Date.now();
    for (; sent < lines.length; sent += 1) res.write(`event: log\nid: ${sent}\ndata: ${lines[sent]}\n\n`);
    if (current === undefined || FINAL_STATUSES.includes(current.status)) {
      res.end(`event: end\ndata: ${JSON.stringify({ status: current?.status ?? 'pruned' })}\n\n`);
      return undefined;
    }
    if (Date.now() - quietSince > KEEPALIVE_MS) {
      res.write(': keep-alive\n\n');
      quietSince = Date.now();
    }
    try {
      await sleep(POLL_MS, undefined, { signal });
    } catch {
      res.end();
      return undefined;
    }
  }
}
