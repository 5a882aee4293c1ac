import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { RailyardError } from '../core/errors.ts';
import { scrubber, type Logger } from '../core/logger.ts';
import { authenticate } from './authenticate.ts';
import { authenticateBlock } from './block-auth.ts';
import { drainBody } from './body.ts';
import type { RequestContext, ServerConfig, ServerDeps } from './context.ts';
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

/** What the request's one log line says, filled in as the request goes. */
interface LogLine {
  path: string;
  quiet: boolean;
  readonly fields: Record<string, unknown>;
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps, routes: readonly Route[], state: HandlerState): Promise<void> {
  const started = performance.now();
  const config = deps.config();
  const source = sourceAddress(req, config.env.trustProxy, config.env.trustedProxies);
  const line: LogLine = { path: '', quiet: false, fields: {} };
  // Built only for handlers that ask (streams): an AbortSignal per request costs more than the rest of a webhook.
  let gone: AbortController | undefined;
  res.once('close', () => {
    gone?.abort();
    logRequest(config.log, req, res, { ms: performance.now() - started, source, line });
  });
  try {
    if (state.closing) throw new RailyardError('SHUTTING_DOWN', 'railyard is shutting down; retry in a moment');
    if (!config.allowlist.allows(source)) throw new RailyardError('SOURCE_FORBIDDEN', 'This address may not call railyard (HOOK_ALLOWED_CIDRS)');
    const url = parseRequestUrl(req.url);
    line.path = url.path.length > 200 ? `${url.path.slice(0, 200)}…` : url.path;
    const { route, params } = matchRoute(routes, req.method, url.segments);
    line.quiet = route.quiet === true;
    const ctx: RequestContext = {
      req, res, url, params, source, config, deps, logFields: line.fields,
      get signal() {
        gone ??= new AbortController();
        return AbortSignal.any([state.signal, gone.signal]);
      },
    };
    if (route.auth === 'block') authenticateBlock(ctx);
    else authenticate(route.auth, ctx);
    const reply = await route.handle(ctx);
    if (reply !== undefined && (await drainBody(req, drainLimit(config))) && !res.destroyed) sendJson(res, reply);
  } catch (error) {
    await answerError(req, res, config, error, line);
  }
}

/** The one place a thrown error becomes an answer (through errors-to-status.ts). */
async function answerError(req: IncomingMessage, res: ServerResponse, config: ServerConfig, error: unknown, line: LogLine): Promise<void> {
  const bare = errorReply(error);
  // A message may quote db.yml (CONFIG_INVALID) or a URL: masked like log lines (issue 12).
  const reply = { ...bare, body: { error: { ...bare.body.error, message: scrubber(config.env.secrets)(bare.body.error.message) } } };
  line.fields['code'] = reply.body.error.code;
  if (reply.status === 500) config.log.error({ err: error, path: line.path }, 'request failed');
  if (res.headersSent) res.destroy();
  // A refused source gets its answer at once and the connection is closed: its body is not worth reading.
  // So is one refused for the memory its body would take: reading it is what it must not do.
  else if (reply.status === 403 || reply.body.error.code === 'SHUTTING_DOWN' || reply.body.error.code === 'UNVERIFIED_MEMORY_FULL') sendJson(res, { ...reply, headers: { ...reply.headers, connection: 'close' } });
  else if ((await drainBody(req, drainLimit(config))) && !res.destroyed) sendJson(res, reply);
}

function logRequest(log: Logger, req: IncomingMessage, res: ServerResponse, at: { ms: number; source: string; line: LogLine }): void {
  const entry = { method: req.method, path: at.line.path, status: res.statusCode, ms: Math.round(at.ms * 10) / 10, source: at.source, ...at.line.fields };
  if (!res.writableFinished) log.warn({ ...entry, complete: false }, 'request');
  else log[at.line.quiet && res.statusCode < 400 ? 'debug' : 'info'](entry, 'request');
}
