import type { DbConfig } from '../../config/db-types.ts';
import { CONFIG_HASH_LABEL, configHash, sha256 } from './config-hash.ts';
import type { ProxyOutput } from './proxy-compose.ts';
import { PROXY_NETWORK } from './routes.ts';
import { SWARM_PROXY_NETWORK, STACK_FILE } from './swarm-stack.ts';
import { portOf } from './traefik-static.ts';
import type { RenderedFile, RenderedService } from './types.ts';
import { escapeDollars, toYaml } from './yaml-out.ts';

const ENGINE_SOCKET = '/var/run/docker.sock';

type StaticConfig = Record<string, unknown> & { entryPoints: Record<string, { address: string; http3?: unknown }>; providers: Record<string, unknown> };

/**
 * Traefik's static config for a swarm host: the swarm provider (services and
 * their task addresses on proxynet, from the manager's engine) next to the
 * docker provider (compose projects still on this host) and the file provider.
 */
export function swarmStatic(base: StaticConfig): StaticConfig {
  const endpoint = `unix://${ENGINE_SOCKET}`;
  return {
    ...base,
    providers: {
      ...base.providers,
      docker: { exposedByDefault: false, endpoint, network: PROXY_NETWORK },
      swarm: { exposedByDefault: false, endpoint, network: PROXY_NETWORK, refreshSeconds: 5 },
    },
  };
}

/**
 * `proxy/docker-stack.yml`: Traefik v3 as one swarm service on a manager (the
 * swarm provider reads the manager's API), its entrypoints published in host
 * mode: the routing mesh would replace every client address by an ingress one,
 * and CrowdSec and the access log need the real one.
 */
export function renderSwarmProxy(config: DbConfig, staticConfig: StaticConfig, staticText: string): ProxyOutput {
  const ports = Object.entries(staticConfig.entryPoints)
    .filter(([name]) => name !== 'ping')
    .flatMap(([, entry]) => {
      const port = portOf(entry.address);
      const protocol = entry.address.endsWith('/udp') ? 'udp' : 'tcp';
      const published = [{ target: port, published: port, protocol, mode: 'host' }];
      // HTTP/3 is UDP on the same port (Traefik advertises it in Alt-Svc): published too, as the compose proxy's host network has it.
      if (protocol === 'tcp' && entry.http3 !== undefined) published.push({ target: port, published: port, protocol: 'udp', mode: 'host' });
      return published;
    });
  const definition: Record<string, unknown> = {
    image: `traefik:${config.versions.traefik}`,
    ports,
    networks: [PROXY_NETWORK],
    volumes: [
      `${ENGINE_SOCKET}:${ENGINE_SOCKET}:ro`,
      './traefik/traefik.yml:/etc/traefik/traefik.yml:ro',
      './traefik/dynamic:/etc/traefik/dynamic:ro',
      '../data/acme:/etc/acme',
      '../logs:/var/log/traefik',
    ],
    healthcheck: { test: ['CMD', 'traefik', 'healthcheck'], interval: '5s', timeout: '5s', retries: 3, start_period: '10s' },
    deploy: {
      replicas: 1,
      placement: { constraints: ['node.role == manager'] },
      // Host-mode ports cannot be bound twice on one node: the old Traefik stops first.
      update_config: { parallelism: 1, order: 'stop-first', failure_action: 'rollback', monitor: '30s' },
      rollback_config: { parallelism: 1, order: 'stop-first' },
      restart_policy: { condition: 'any' },
      labels: ['railyard.project=proxy', 'railyard.service=traefik'],
    },
  };
  const hash = configHash({ service: definition, mounts: { 'traefik/traefik.yml': sha256(staticText) } });
  const deploy = definition['deploy'] as { labels: string[] };
  deploy.labels = [...deploy.labels, `${CONFIG_HASH_LABEL}=${hash}`];
  const service: RenderedService = { project: 'proxy', service: 'traefik', name: 'traefik', configHash: hash, image: definition['image'] as string, stateless: false, replicas: 1, definition };
  const document = { services: { traefik: escapeDollars(definition) }, networks: { [PROXY_NETWORK]: SWARM_PROXY_NETWORK } };
  const files: RenderedFile[] = [{ path: `proxy/${STACK_FILE}`, content: toYaml(document), kind: 'compose' }];
  const warnings = config.plugins.crowdsec?.enabled === true
    ? ['runtime: swarm: the CrowdSec plugin is not rendered as a swarm service yet; run CrowdSec with runtime: compose or disable the plugin']
    : [];
  return { project: { name: 'proxy', kind: 'proxy', runtime: 'swarm', dir: 'proxy', composeFile: `proxy/${STACK_FILE}`, services: [service] }, files, warnings };
}
