import { setTimeout as sleep } from 'node:timers/promises';
import { RailyardError } from '../core/errors.ts';

/**
 * A client of Traefik's API (`/api/...`, the dashboard's own API), in the
 * shapes its documentation gives: lists paginated with `page`/`per_page` and
 * an `X-Next-Page` header that points back to 1 on the last page.
 */
export type TraefikKind = 'http' | 'tcp' | 'udp';

export interface TraefikRouter {
  readonly name: string;
  readonly provider?: string;
  /** enabled | disabled | warning */
  readonly status?: string;
  readonly error?: readonly string[];
  readonly rule?: string;
  readonly service?: string;
  readonly entryPoints?: readonly string[];
  readonly priority?: number;
}

export interface TraefikService {
  readonly name: string;
  readonly status?: string;
  readonly error?: readonly string[];
  readonly loadBalancer?: { readonly servers?: readonly { readonly url?: string; readonly address?: string }[] };
  /** http only: server URL → UP | DOWN (from health checks). */
  readonly serverStatus?: Readonly<Record<string, string>>;
}

const PER_PAGE = 100;
const REQUEST_TIMEOUT_MS = 5000;

/** GET one API path as JSON; credentials in the URL (`https://user:pass@host`) go as basic auth. */
async function getJson(apiUrl: string, path: string, signal?: AbortSignal): Promise<{ body: unknown; nextPage: number }> {
  const url = new URL(path, `${apiUrl}/`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (url.username !== '') {
    headers['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (error) {
    throw new RailyardError('TRAEFIK_API_FAILED', `Traefik API ${url.origin}${url.pathname} is unreachable (${(error as Error).message})`, { cause: error });
  }
  if (response.status === 404) return { body: undefined, nextPage: 1 };
  if (!response.ok) throw new RailyardError('TRAEFIK_API_FAILED', `Traefik API ${url.pathname} answered ${response.status}`);
  try {
    return { body: await response.json(), nextPage: Number(response.headers.get('x-next-page') ?? 1) };
  } catch (error) {
    throw new RailyardError('TRAEFIK_API_FAILED', `Traefik API ${url.pathname} did not answer JSON`, { cause: error });
  }
}

async function getList<T>(apiUrl: string, path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; ) {
    const { body, nextPage } = await getJson(apiUrl, `${path}?page=${page}&per_page=${PER_PAGE}`, signal);
    if (!Array.isArray(body)) throw new RailyardError('TRAEFIK_API_FAILED', `Traefik API ${path} did not answer a list`);
    items.push(...(body as T[]));
    if (!(nextPage > page)) return items;
    page = nextPage;
  }
}

/** What Traefik has loaded: its routers of each kind and its http services. */
export interface TraefikState {
  readonly routers: Readonly<Record<TraefikKind, readonly TraefikRouter[]>>;
  readonly services: readonly TraefikService[];
}

export async function loadTraefikState(apiUrl: string, signal?: AbortSignal): Promise<TraefikState> {
  const [http, tcp, udp, services] = await Promise.all([
    getList<TraefikRouter>(apiUrl, 'api/http/routers', signal),
    getList<TraefikRouter>(apiUrl, 'api/tcp/routers', signal),
    getList<TraefikRouter>(apiUrl, 'api/udp/routers', signal),
    getList<TraefikService>(apiUrl, 'api/http/services', signal),
  ]);
  return { routers: { http, tcp, udp }, services };
}

/** The `ip:port` of a server entry: an http server's URL host, or a tcp/udp address. */
export function serverAddress(server: { readonly url?: string; readonly address?: string }): string | undefined {
  if (server.address !== undefined) return server.address;
  if (server.url === undefined || !URL.canParse(server.url)) return undefined;
  return new URL(server.url).host;
}

export interface WaitForServersOptions {
  /** Give up after this long (the rollout's timeout). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** @default 'http' */
  readonly kind?: TraefikKind;
  /** @default 250 */
  readonly intervalMs?: number;
}

/**
 * Resolves once Traefik's service `serviceName` (with its provider: `shop-web-3000@docker`)
 * lists a server at every `ip:port` in `addresses`, and, for http, none of
 * them is DOWN in its health status. A rollout calls it before it stops the
 * old containers, so no request goes to a backend Traefik does not know yet.
 * Throws TRAEFIK_SERVERS_TIMEOUT after `timeoutMs`, or the abort reason.
 */
export async function waitForServers(apiUrl: string, serviceName: string, addresses: readonly string[], options: WaitForServersOptions): Promise<void> {
  const kind = options.kind ?? 'http';
  const deadline = Date.now() + options.timeoutMs;
  let missing: string[] = [...addresses];
  for (;;) {
    options.signal?.throwIfAborted();
    const { body } = await getJson(apiUrl, `api/${kind}/services/${encodeURIComponent(serviceName)}`, options.signal).catch((error: unknown) => {
      if (Date.now() >= deadline) throw error;
      return { body: undefined };
    });
    missing = missingServers(body as TraefikService | undefined, addresses);
    if (missing.length === 0) return;
    if (Date.now() >= deadline) break;
    await sleep(Math.min(options.intervalMs ?? 250, Math.max(0, deadline - Date.now())), undefined, options.signal ? { signal: options.signal } : {});
  }
  throw new RailyardError('TRAEFIK_SERVERS_TIMEOUT', `Traefik did not list ${missing.join(', ')} as servers of ${serviceName} within ${options.timeoutMs} ms`, {
    data: { service: serviceName, missing },
  });
}

/** Addresses not (yet) an up server of the service. */
export function missingServers(service: TraefikService | undefined, addresses: readonly string[]): string[] {
  const servers = service?.loadBalancer?.servers ?? [];
  const listed = new Map(servers.map((server) => [serverAddress(server), server.url]));
  return addresses.filter((address) => {
    if (!listed.has(address)) return true;
    const url = listed.get(address);
    return url !== undefined && service?.serverStatus?.[url] === 'DOWN';
  });
}
