import type { EngineSource } from '../runtime/engine-read.ts';
import { listBackends, type BackendContainer } from '../runtime/route-backends.ts';
import { probeBackend, type ProbeResult } from '../runtime/route-probe.ts';
import { loadTraefikState, type TraefikState } from '../runtime/traefik-api.ts';
import { composeServiceName, defaultPriority, PROXY_NETWORK, type Route } from '../steps/render/routes.ts';
import { REDIRECT_PRIORITY } from '../steps/render/traefik-static.ts';
import { compareWithTraefik } from './route-compare.ts';

export type RouteStatus = 'alive' | 'dead' | 'pending';

/** One router Traefik is given, and whether what it dials answers from the host's network namespace. */
export interface RouteLine {
  readonly router: string;
  readonly kind: Route['kind'];
  readonly via: Route['via'];
  readonly entryPoint: string;
  readonly rule: string | undefined;
  /** http routers: the priority Traefik gives them (the rule's length). */
  readonly priority: number | undefined;
  /** What Traefik dials: `ip:port` of each container, or the file route's `host:port`. */
  readonly backends: readonly string[];
  readonly status: RouteStatus;
  readonly detail: string;
  /** With TRAEFIK_API_URL: what Traefik reports for this router, when it differs from what was rendered. */
  readonly traefik?: readonly string[];
}

export interface RouteReport {
  readonly lines: readonly RouteLine[];
  /** The HTTP→HTTPS redirect on `web`: lowest priority, so the routers on `web` above win. */
  readonly redirect: { readonly entryPoint: 'web'; readonly priority: number };
  /** Set when TRAEFIK_API_URL was given but could not be read. */
  readonly traefikError?: string;
}

export interface RouteReportOptions {
  readonly traefikApiUrl?: string | undefined;
  readonly timeoutMs?: number;
}

/** Dials every route's backends (one container list call, probes in parallel) and, with the API, compares. */
export async function routeReport(docker: EngineSource, routes: readonly Route[], options: RouteReportOptions = {}): Promise<RouteReport> {
  const needsDocker = routes.some((route) => route.via === 'labels');
  const containers = needsDocker ? await listBackends(docker, PROXY_NETWORK) : [];
  const probe = { timeoutMs: options.timeoutMs ?? 1500 };
  let lines = await Promise.all(routes.map((route) => lineOf(route, containers, probe)));
  let traefikError: string | undefined;
  if (options.traefikApiUrl !== undefined) {
    let state: TraefikState | undefined;
    try {
      state = await loadTraefikState(options.traefikApiUrl);
    } catch (error) {
      traefikError = (error as Error).message;
    }
    if (state) lines = compareWithTraefik(lines, state);
  }
  return { lines, redirect: { entryPoint: 'web', priority: REDIRECT_PRIORITY }, ...(traefikError !== undefined ? { traefikError } : {}) };
}

async function lineOf(route: Route, containers: readonly BackendContainer[], probe: { timeoutMs: number }): Promise<RouteLine> {
  const base = {
    router: route.name,
    kind: route.kind,
    via: route.via,
    entryPoint: route.entryPoint,
    rule: route.rule,
    priority: route.kind === 'http' ? defaultPriority(route.rule) : undefined,
  };
  const protocol = route.kind === 'udp' ? 'udp' : 'tcp';
  if (route.via === 'file') {
    const result = await probeBackend(route.target, route.port, protocol, probe);
    return { ...base, backends: [`${route.target}:${route.port}`], status: result.ok ? 'alive' : 'dead', detail: result.detail };
  }
  return { ...base, ...(await containerStatus(route, containers, protocol, probe)) };
}

/**
 * Traefik's docker provider routes to running containers that are healthy (or
 * have no healthcheck), at their address on the network of `traefik.docker.network`.
 */
async function containerStatus(
  route: Route,
  containers: readonly BackendContainer[],
  protocol: 'tcp' | 'udp',
  probe: { timeoutMs: number },
): Promise<Pick<RouteLine, 'backends' | 'status' | 'detail'>> {
  const service = composeServiceName(route.project, route.service);
  const own = containers.filter((c) => c.project === route.project.toLowerCase() && c.service === service);
  const running = own.filter((c) => c.state === 'running');
  if (running.length === 0) {
    const starting = own.length === 0 || own.some((c) => c.state === 'created' || c.state === 'restarting');
    const states = own.map((c) => `${c.name} ${c.state}`).join(', ');
    return { backends: [], status: starting ? 'pending' : 'dead', detail: own.length === 0 ? `no container of ${service} yet` : states };
  }
  const served = running.filter((c) => c.health === 'healthy' || c.health === 'none');
  if (served.length === 0) {
    const starting = running.some((c) => c.health === 'starting');
    return { backends: [], status: starting ? 'pending' : 'dead', detail: `${service}: ${running.map((c) => `${c.name} ${c.health}`).join(', ')} (Traefik skips containers that are not healthy)` };
  }
  const attached = served.filter((c) => c.ip !== undefined);
  if (attached.length === 0) return { backends: [], status: 'dead', detail: `${service} is not attached to ${PROXY_NETWORK}` };
  const results: [string, ProbeResult][] = await Promise.all(
    attached.map(async (c): Promise<[string, ProbeResult]> => [`${c.ip}:${route.port}`, await probeBackend(c.ip!, route.port, protocol, probe)]),
  );
  const up = results.filter(([, r]) => r.ok);
  const detail = results.map(([address, r]) => `${address} ${r.ok ? r.detail : `dead: ${r.detail}`}`).join('; ');
  return { backends: results.map(([address]) => address), status: up.length > 0 ? 'alive' : 'dead', detail };
}
