import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { RailyardError } from '../pipeline/errors.ts';
import { authenticate } from './authenticate.ts';
import { drainBody } from './body.ts';
import type { RequestContext, ServerDeps } from './context.ts';
import { errorReply } from './errors-to-status.ts';
import { parseRequestUrl } from './request-url.ts';
import { sendJson } from './respond.ts';
import { matchRoute, type Route } from './router.ts';
import { sourceAddress } from './source.ts';

/** A body no handler read (a refused one, a POST that needs none) is read and dropped up to this size before the answer. */
const drainLimit = (config: { readonly env: { readonly hookMaxBody: number } }): number => 4 * Math.max(config.env.hookMaxBody, 1024 * 1024);

/** Shared with the server: set when it shuts down. */
export interface HandlerState {
  closing: boolean;
  /** Aborted on shutdown: ends streams. */
  readonly signal: AbortSignal;
}

/**
 * The request pipeline: allowlist (403, before anything else), route (404,
 * 405), authentication (503, 429, 401), handler. Whatever a handler throws
 * becomes a JSON error through errors-to-status.ts; nothing a client sends
 * can take the process down. One log line per request, with the path and
 * never the query (it may hold `apikey=`).
 */
export function createHandler(deps: ServerDeps, routes: readonly Route[], state: HandlerState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(req, res, deps, routes, state);
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps, routes: readonly Route[], state: HandlerState): Promise<void> {
  const started = performance.now();
  const config = deps.config();
  const source = sourceAddress(req, config.env.trustProxy);
  const logFields: Record<string, unknown> = {};
  // Built only for handlers that ask (streams): an AbortSignal per request costs more than the rest of a webhook.
  let gone: AbortController | undefined;
  let path = '';
  let quiet = false;
  res.once('close', () => {
    gone?.abort();
    const entry = { method: req.method, path, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10, source, ...logFields };
    const complete = res.writableFinished;
    if (!complete) config.log.warn({ ...entry, complete }, 'request');
    else config.log[quiet && res.statusCode < 400 ? 'debug' : 'info'](entry, 'request');
  });
  try {
    if (state.closing) throw new RailyardError('SHUTTING_DOWN', 'railyard is shutting down; retry in a moment');
    if (!config.allowlist.allows(source)) throw new RailyardError('SOURCE_FORBIDDEN', 'This address may not call railyard (HOOK_ALLOWED_CIDRS)');
    const url = parseRequestUrl(req.url);
    path = url.path.length > 200 ? `${url.path.slice(0, 200)}…` : url.path;
    const { route, params } = matchRoute(routes, req.method, url.segments);
    quiet = route.quiet === true;
    const ctx: RequestContext = {
      req, res, url, params, source, config, deps, logFields,
      get signal() {
        gone ??= new AbortController();
        return AbortSignal.any([state.signal, gone.signal]);
      },
    };
    authenticate(route.auth, ctx);
    const reply = await route.handle(ctx);
    if (reply !== undefined && (await drainBody(req, drainLimit(config))) && !res.destroyed) sendJson(res, reply);
  } catch (error) {
    const reply = errorReply(error);
    logFields['code'] = reply.body.error.code;
    if (reply.status === 500) config.log.error({ err: error, path }, 'request failed');
    if (res.headersSent) res.destroy();
    // A refused source gets its answer at once and the connection is closed: its body is not worth reading.
    else if (reply.status === 403 || reply.body.error.code === 'SHUTTING_DOWN') sendJson(res, { ...reply, headers: { ...reply.headers, connection: 'close' } });
    else if ((await drainBody(req, drainLimit(config))) && !res.destroyed) sendJson(res, reply);
  }
}
