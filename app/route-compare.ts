import type { TraefikKind, TraefikRouter, TraefikService, TraefikState } from '../runtime/traefik-api.ts';
import type { RouteLine } from './route-report.ts';

/** The provider a rendered router is loaded by: `docker` for labels, `file` for the dynamic files. */
export function traefikName(line: Pick<RouteLine, 'router' | 'via'>): string {
  return `${line.router}@${line.via === 'labels' ? 'docker' : 'file'}`;
}

/**
 * Marks each line with what Traefik reports when it is not what was rendered:
 * a router it has not loaded, a router in error or warning, http servers down.
 * A router Traefik is missing or has in error makes the route dead.
 */
export function compareWithTraefik(lines: readonly RouteLine[], state: TraefikState): RouteLine[] {
  const routers = new Map<string, TraefikRouter>();
  for (const kind of ['http', 'tcp', 'udp'] as TraefikKind[]) for (const r of state.routers[kind]) routers.set(`${kind} ${r.name}`, r);
  const services = new Map<string, TraefikService>(state.services.map((s) => [s.name, s]));
  return lines.map((line) => {
    const name = traefikName(line);
    const router = routers.get(`${line.kind} ${name}`);
    const notes: string[] = [];
    if (!router) notes.push(`router ${name} is not loaded by Traefik`);
    else if (router.status !== undefined && router.status !== 'enabled') notes.push(`router ${name} is ${router.status}${router.error?.length ? `: ${router.error.join('; ')}` : ''}`);
    if (router && line.kind === 'http') {
      const service = services.get(serviceName(router.service ?? line.router, name));
      const down = Object.entries(service?.serverStatus ?? {}).filter(([, status]) => status !== 'UP').map(([url]) => url);
      if (down.length > 0) notes.push(`Traefik has server(s) down: ${down.join(', ')}`);
    }
    if (notes.length === 0) return line;
    const broken = !router || router.status === 'disabled';
    return { ...line, traefik: notes, ...(broken ? { status: 'dead' as const } : {}) };
  });
}

/** A router's service is named without provider when it is the router's own provider's. */
function serviceName(service: string, routerName: string): string {
  return service.includes('@') ? service : `${service}@${routerName.split('@')[1] ?? ''}`;
}
