import type { Env } from '../../config/env.ts';
import { CERT_RESOLVER, type Route, type RouteTls } from './routes.ts';
import { TLS_OPTIONS } from './traefik-middlewares.ts';

type DynamicEnv = Pick<Env, 'traefikDomain' | 'traefikAdmin'>;

/** itsUP's name for the dashboard router. */
export const DASHBOARD_ROUTER = 'traefik-secure';

/** The file-provider documents, by file name under `proxy/traefik/dynamic/`. */
export interface DynamicConfig {
  readonly 'routers-http.yml': Record<string, unknown>;
  readonly 'routers-tcp.yml': Record<string, unknown>;
  readonly 'routers-udp.yml': Record<string, unknown>;
}

/**
 * itsUP's three routers files. Only services without an image are routed here
 * (their `host` is the address Traefik dials); every container route is a
 * docker-provider label (see traefik-labels.ts). routers-http.yml also holds
 * the dashboard router and the default TLS options, as in itsUP.
 */
export function traefikDynamic(routes: readonly Route[], env: DynamicEnv): DynamicConfig {
  const own = routes.filter((route) => route.via === 'file');
  const of = (kind: Route['kind']): Route[] => own.filter((route) => route.kind === kind);
  return {
    'routers-http.yml': { http: httpSection(of('http'), env), tls: TLS_OPTIONS },
    'routers-tcp.yml': { tcp: section(of('tcp'), routerOf, (r) => ({ loadBalancer: tcpBalancer(r) })) },
    'routers-udp.yml': {
      udp: section(of('udp'), (r) => ({ entryPoints: [r.entryPoint], service: r.name }), (r) => ({
        loadBalancer: { servers: [{ address: `${r.target}:${r.port}` }] },
      })),
    },
  };
}

function section(routes: readonly Route[], router: (r: Route) => object, service: (r: Route) => object): Record<string, unknown> {
  if (routes.length === 0) return {};
  return {
    routers: Object.fromEntries(routes.map((r) => [r.name, router(r)])),
    services: Object.fromEntries(routes.map((r) => [r.name, service(r)])),
  };
}

function httpSection(routes: readonly Route[], env: DynamicEnv): Record<string, unknown> {
  const routers: Record<string, unknown> = {};
  // The dashboard is only routed behind basic auth: without TRAEFIK_ADMIN it stays closed.
  if (env.traefikDomain !== undefined && env.traefikAdmin !== undefined) {
    routers[DASHBOARD_ROUTER] = {
      service: 'api@internal',
      entryPoints: ['web-secure'],
      rule: `Host(\`${env.traefikDomain}\`)`,
      middlewares: ['traefik-auth@file'],
      tls: { certResolver: CERT_RESOLVER },
    };
  }
  for (const r of routes) routers[r.name] = routerOf(r);
  const strip = routes.filter((r) => r.stripPrefix !== undefined);
  return {
    ...(Object.keys(routers).length > 0 ? { routers } : {}),
    ...(routes.length > 0
      ? { services: Object.fromEntries(routes.map((r) => [r.name, { loadBalancer: { servers: [{ url: `http://${r.target}:${r.port}/` }] } }])) }
      : {}),
    ...(strip.length > 0
      ? { middlewares: Object.fromEntries(strip.map((r) => [`${r.name}-stripprefix`, { stripPrefix: { prefixes: [r.stripPrefix] } }])) }
      : {}),
  };
}

function routerOf(r: Route): Record<string, unknown> {
  return {
    entryPoints: [r.entryPoint],
    rule: r.rule,
    service: r.name,
    ...(r.middlewares.length > 0 ? { middlewares: [...r.middlewares] } : {}),
    ...tlsOf(r.tls),
  };
}

function tcpBalancer(r: Route): Record<string, unknown> {
  return {
    ...(r.proxyProtocol !== null ? { proxyProtocol: { version: r.proxyProtocol } } : {}),
    servers: [{ address: `${r.target}:${r.port}` }],
  };
}

function tlsOf(tls: RouteTls): Record<string, unknown> {
  if (tls.mode === 'passthrough') return { tls: { passthrough: true } };
  if (tls.mode === 'none') return {};
  const domains = tls.main !== undefined ? [{ main: tls.main, ...(tls.sans.length > 0 ? { sans: [...tls.sans] } : {}) }] : [];
  return { tls: { certResolver: CERT_RESOLVER, ...(domains.length > 0 ? { domains } : {}) } };
}
