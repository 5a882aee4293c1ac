import { RailyardError } from '../core/errors.ts';
import type { RequestContext } from './context.ts';
import { decodeSegment } from './request-url.ts';
import type { Reply } from './respond.ts';

/** `none`: open (health); `api-key`: API_KEY; `signature`: GitHub's HMAC, checked by the handler over the raw body; `block`: API_KEY or HTTP Basic (block-auth.ts). */
export type Auth = 'none' | 'api-key' | 'signature' | 'block';

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Literal segments and `:name` parameters: `/api/runs/:id/log`. */
  readonly path: string;
  readonly auth: Auth;
  /** Logged at debug rather than info: probes and scrapes. */
  readonly quiet?: boolean;
  /** A GET that also answers HEAD (node:http sends the headers, not the body): probes that only look at the status. */
  readonly head?: boolean;
  /** Answers with a Reply, or writes `res` itself (streams) and returns undefined. */
  handle(ctx: RequestContext): Promise<Reply | undefined>;
}

export interface Match {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

/** Finds the route of a request: 404 for an unknown path, 405 (with Allow) for a known path and another method. */
export function matchRoute(routes: readonly Route[], method: string | undefined, segments: readonly string[]): Match {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (params === undefined) continue;
    if (route.method === method || (method === 'HEAD' && route.head === true)) return { route, params };
    allowed.push(route.method, ...(route.head === true ? ['HEAD'] : []));
  }
  if (allowed.length === 0) throw new RailyardError('ROUTE_NOT_FOUND', 'There is no such endpoint');
  throw new RailyardError('METHOD_NOT_ALLOWED', `Use ${allowed.join(' or ')} here`, { data: { allow: allowed.join(', ') } });
}

function matchPath(path: string, segments: readonly string[]): Record<string, string> | undefined {
  const pattern = path.split('/').filter((s) => s !== '');
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  // Decoded only once the route matched: a bad escape in a parameter is the caller's 400.
  for (const [name, value] of Object.entries(params)) params[name] = decodeSegment(value);
  return params;
}
