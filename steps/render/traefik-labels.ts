import { CERT_RESOLVER, PROXY_NETWORK, type Route } from './routes.ts';

/** A container label as `[key, value]`, in the order it is written. */
export type Label = readonly [key: string, value: string];

/**
 * Docker-provider labels for the routes a container carries itself: every
 * route of a service with an image, udp, host-port and passthrough included.
 * Traefik then dials the address the Docker API gives the container on
 * proxynet, so no container name has to resolve where Traefik runs (the host
 * network). Empty when it has none: `traefik.enable=true` alone would make
 * Traefik invent a default router for the container.
 */
export function traefikLabels(routes: readonly Route[]): Label[] {
  const own = routes.filter((route) => route.via === 'labels');
  if (own.length === 0) return [];
  const labels: Label[] = [['traefik.enable', 'true'], ['traefik.docker.network', PROXY_NETWORK]];
  for (const route of own) labels.push(...routeLabels(route));
  return labels;
}

function routeLabels(route: Route): Label[] {
  const router = `traefik.${route.kind}.routers.${route.name}`;
  const service = `traefik.${route.kind}.services.${route.name}`;
  const labels: Label[] = [[`${router}.entrypoints`, route.entryPoint]];
  if (route.rule !== undefined) labels.push([`${router}.rule`, route.rule]);
  if (route.tls.mode === 'resolver') {
    labels.push([`${router}.tls.certresolver`, CERT_RESOLVER]);
    if (route.tls.main !== undefined) {
      labels.push([`${router}.tls.domains[0].main`, route.tls.main]);
      route.tls.sans.forEach((san, index) => labels.push([`${router}.tls.domains[0].sans[${index}]`, san]));
    }
  }
  if (route.tls.mode === 'passthrough') labels.push([`${router}.tls.passthrough`, 'true']);
  labels.push([`${router}.service`, route.name]);
  if (route.stripPrefix !== undefined) {
    labels.push([`traefik.http.middlewares.${route.name}-stripprefix.stripprefix.prefixes`, route.stripPrefix]);
  }
  if (route.middlewares.length > 0) labels.push([`${router}.middlewares`, route.middlewares.join(',')]);
  labels.push([`${service}.loadbalancer.server.port`, String(route.port)]);
  if (route.proxyProtocol !== null) labels.push([`${service}.loadbalancer.proxyprotocol.version`, String(route.proxyProtocol)]);
  return labels;
}
