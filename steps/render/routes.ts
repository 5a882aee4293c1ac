import type { DbConfig, Ingress, Project, Service } from '../../config/db-types.ts';
import { deepFreeze } from '../../config/env.ts';
import { domainsOf } from '../../config/semantic-checks.ts';

/** The Traefik certificate resolver every terminated TLS route uses. */
export const CERT_RESOLVER = 'letsencrypt';
/** The external Docker network shared by Traefik's docker provider and routed services. */
export const PROXY_NETWORK = 'proxynet';

export type RouteKind = 'http' | 'tcp' | 'udp';

/** How Traefik terminates TLS for a route: with the resolver, passed through, or not at all. */
export type RouteTls =
  | { readonly mode: 'resolver'; readonly main?: string; readonly sans: readonly string[] }
  | { readonly mode: 'passthrough' }
  | { readonly mode: 'none' };

/** One routed ingress, in the terms Traefik needs. */
export interface Route {
  /** Router, service and middleware prefix: `<project>-<host, dots→dashes>-<port>`. */
  readonly name: string;
  readonly kind: RouteKind;
  /**
   * `labels` on the container (docker provider: Traefik dials the container's
   * proxynet address it reads from the Docker API), or `file`
   * (proxy/traefik/dynamic) for a service without image, whose `host` is the address.
   */
  readonly via: 'labels' | 'file';
  readonly entryPoint: string;
  /** The host port entrypoint this route needs, when it has one. */
  readonly hostport?: { readonly name: string; readonly port: number; readonly protocol: 'tcp' | 'udp' };
  readonly rule: string | undefined;
  readonly tls: RouteTls;
  /** Compose service name (its containers' proxynet addresses are dialled), or the host address of a service without image. */
  readonly target: string;
  readonly port: number;
  readonly proxyProtocol: 1 | 2 | null;
  /** User middlewares, then the route's own strip-prefix middleware when `path_remove`. */
  readonly middlewares: readonly string[];
  readonly stripPrefix: string | undefined;
  readonly project: string;
  readonly service: string;
}

export interface RouteSet {
  readonly routes: readonly Route[];
  /** Ingresses that could not be routed, one line each. */
  readonly warnings: readonly string[];
}

/** Every route of the enabled projects, in db.yml order. */
export function routesOf(config: DbConfig): RouteSet {
  const routes: Route[] = [];
  const warnings: string[] = [];
  for (const project of config.projects) {
    if (!project.enabled) continue;
    const own = projectRoutes(project);
    routes.push(...own.routes);
    warnings.push(...own.warnings);
  }
  return { routes, warnings };
}

/**
 * A frozen project (as a check returns it) cannot change, so its routes are
 * made once per object (issue 17 item 4: a one-project change routed all
 * 1,000 projects again); they are frozen, as they are shared.
 */
const routesByProject = new WeakMap<Project, RouteSet>();

/** The routes routesOf gives `project`: its own, none while it is disabled. */
export function ownRoutes(project: Project): readonly Route[] {
  return project.enabled ? projectRoutes(project).routes : [];
}

function projectRoutes(project: Project): RouteSet {
  const known = routesByProject.get(project);
  if (known !== undefined) return known;
  const routes: Route[] = [];
  const warnings: string[] = [];
  for (const service of project.services) {
    const names = new Map<string, number>();
    for (const ingress of service.ingress) {
      const base = routeName(project.name, service.host, ingress.port);
      const seen = (names.get(base) ?? 0) + 1;
      names.set(base, seen);
      // Two ingresses on one port would share itsUP's name; the second gets a suffix.
      const name = seen === 1 ? base : `${base}-${seen}`;
      const route = routeOf(project, service, ingress, name);
      if (typeof route === 'string') {
        if (route !== '') warnings.push(`${project.name}/${service.host} port ${ingress.port}: ${route}`);
      } else routes.push(route);
    }
  }
  const set = { routes, warnings };
  if (Object.isFrozen(project)) routesByProject.set(project, deepFreeze(set));
  return set;
}

/** itsUP's router name; dots would split a Traefik label key, so they become dashes. */
export function routeName(project: string, host: string, port: number): string {
  return `${project.replaceAll('.', '-')}-${host.replaceAll('.', '-')}-${port}`;
}

/** The compose service name of a db.yml service (and its DNS name on proxynet). */
export function composeServiceName(project: string, host: string): string {
  return `${project}-${host}`;
}

/** A route, or why the ingress is not routed ('' when it is exposed on purpose). */
function routeOf(project: Project, service: Service, ingress: Ingress, name: string): Route | string {
  if (ingress.expose) return '';
  const kind = kindOf(ingress);
  const domains = domainsOf(ingress);
  const acme = kind === 'http' && ingress.passthrough && ingress.port === 80;
  if (kind === 'udp' && ingress.hostport === undefined) return 'a udp route needs a hostport; not routed';
  if (ingress.hostport === undefined && domains.length === 0) return 'no domain and no hostport; only exposed';
  const hostport = ingress.hostport === undefined
    ? undefined
    : { name: `${kind}-${ingress.hostport}`, port: ingress.hostport, protocol: kind === 'udp' ? 'udp' as const : 'tcp' as const };
  const image = service.image !== undefined;
  // itsUP serves a port-80 route of its routers file (no image, or passthrough) on plain-http `web`.
  const plain = acme || (kind === 'http' && hostport === undefined && ingress.port === 80 && !image);
  const prefix = kind === 'http' ? ingress.path_prefix : undefined;
  return {
    name,
    kind,
    via: image ? 'labels' : 'file',
    entryPoint: hostport?.name ?? (plain ? 'web' : 'web-secure'),
    ...(hostport ? { hostport } : {}),
    rule: kind === 'udp' ? undefined : ruleOf(kind, domains, prefix),
    tls: tlsOf(ingress, domains, kind, plain),
    target: image ? composeServiceName(project.name, service.host) : service.host,
    port: ingress.port,
    proxyProtocol: kind === 'tcp' ? proxyProtocolOf(ingress, image, hostport !== undefined) : null,
    middlewares: [...ingress.middlewares, ...(prefix && ingress.path_remove ? [`${name}-stripprefix`] : [])],
    stripPrefix: prefix && ingress.path_remove ? prefix : undefined,
    project: project.name,
    service: service.host,
  };
}

/**
 * The PROXY protocol version a tcp service is sent. Set in db.yml, it is used.
 * Unset, itsUP's default (v2) applies only where itsUP applied it: the routes of
 * its routers file (passthrough, no image, host port); its container labels
 * never carried it, so a plain tcp route of a container gets none.
 */
function proxyProtocolOf(ingress: Ingress, image: boolean, hostport: boolean): 1 | 2 | null {
  if (ingress.proxyprotocol !== undefined) return ingress.proxyprotocol;
  return ingress.passthrough || !image || hostport ? 2 : null;
}

/** TLS passthrough can only be done by a tcp router, except ACME's plain-http port 80. */
function kindOf(ingress: Ingress): RouteKind {
  if (ingress.router === 'http' && ingress.passthrough && ingress.port !== 80) return 'tcp';
  return ingress.router;
}

/**
 * `Host(`a`) || Host(`b`)` (HostSNI for tcp), `&& PathPrefix(`/p`)` for http.
 * Several hosts are parenthesised: in Traefik's rule syntax `&&` binds tighter than `||`.
 */
export function ruleOf(kind: 'http' | 'tcp', domains: readonly string[], prefix: string | undefined): string {
  const matcher = kind === 'tcp' ? 'HostSNI' : 'Host';
  const hosts = domains.map((domain) => `${matcher}(\`${domain}\`)`);
  if (kind === 'tcp') return hosts.length > 0 ? hosts.join(' || ') : 'HostSNI(`*`)';
  const path = prefix ? `PathPrefix(\`${prefix}\`)` : undefined;
  if (hosts.length === 0) return path ?? 'PathPrefix(`/`)';
  const host = hosts.length > 1 && path ? `(${hosts.join(' || ')})` : hosts.join(' || ');
  return path ? `${host} && ${path}` : host;
}

function tlsOf(ingress: Ingress, domains: readonly string[], kind: RouteKind, plain: boolean): RouteTls {
  if (kind === 'udp' || plain) return { mode: 'none' };
  if (ingress.passthrough) return { mode: 'passthrough' };
  if (domains.length === 0) return { mode: 'none' }; // a bare host port: no name to get a certificate for
  const main = ingress.tls?.main;
  return { mode: 'resolver', ...(main !== undefined ? { main } : {}), sans: main !== undefined ? ingress.tls?.sans ?? [] : [] };
}

/**
 * The priority Traefik gives an http router without an explicit one: the
 * length of its rule. The HTTP→HTTPS redirect on `web` has priority 1, so
 * every router on `web` (the ACME-challenge passthrough) is matched first.
 */
export function defaultPriority(rule: string | undefined): number {
  return rule?.length ?? 0;
}

/** A Traefik service that routes to a container, as Traefik's API names it, for `waitForServers`. */
export interface TraefikServiceRef {
  /** `<route name>@docker`: label routes are loaded by the docker provider. */
  readonly name: string;
  readonly kind: RouteKind;
  /** The container port its server addresses use: `<container ip>:<port>`. */
  readonly port: number;
}

/** The Traefik services that send traffic to the containers of one db.yml service. */
export function traefikServicesOf(routes: readonly Route[], project: string, host: string): TraefikServiceRef[] {
  return routes
    .filter((route) => route.via === 'labels' && route.project === project && route.service === host)
    .map((route) => ({ name: `${route.name}@docker`, kind: route.kind, port: route.port }));
}
