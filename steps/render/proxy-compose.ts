import type { CrowdsecPlugin, DbConfig } from '../../config/db-types.ts';
import type { Env } from '../../config/env.ts';
import { CONFIG_HASH_LABEL, configHash, sha256 } from './config-hash.ts';
import type { RenderedFile, RenderedProject, RenderedService } from './types.ts';
import { DOCKER_PROXY_ENDPOINT } from './traefik-static.ts';
import { escapeDollars, toYaml } from './yaml-out.ts';

/** The socket proxy Traefik's docker provider talks to (read-only: GET/HEAD of what it needs). */
const SOCKET_PROXY_IMAGE = 'wollomatic/socket-proxy:1';
/** A rollout drains an old Traefik by creating this file in it; its healthcheck then fails. */
export const DRAIN_FILE = '/tmp/drain';
const APPSEC_COLLECTIONS = ['crowdsecurity/appsec-virtual-patching', 'crowdsecurity/appsec-generic-rules'];

export interface ProxyOutput {
  readonly project: RenderedProject;
  readonly files: readonly RenderedFile[];
  /** What the operator should know about the rendered proxy, one line each. */
  readonly warnings: readonly string[];
}

export type ProxyEnv = Pick<Env, 'dockerHost'> & { readonly vars?: Readonly<Record<string, string>> };

/** The engine socket's path inside the socket proxy (its default `-socketpath`). */
const PROXY_SOCKET = '/var/run/docker.sock';

/**
 * `proxy/docker-compose.yml`: Traefik on the host network, the socket proxy, and
 * CrowdSec when the plugin is enabled. `staticConfig` is the rendered
 * traefik.yml: a change to it needs a new Traefik, so it is in Traefik's hash;
 * the dynamic folder is watched and reloaded, so it is not.
 */
export function renderProxy(config: DbConfig, staticConfig: string, env: ProxyEnv = { dockerHost: undefined }): ProxyOutput {
  const crowdsec = config.plugins.crowdsec?.enabled === true ? config.plugins.crowdsec : undefined;
  const acquis = crowdsec ? acquisition(crowdsec) : undefined;
  const socket = engineSocket(env.dockerHost);
  const services: RenderedService[] = [
    service('dockerproxy', dockerProxy(socket.path), {}, false),
    service('traefik', traefik(config.versions.traefik, crowdsec !== undefined), { 'traefik/traefik.yml': sha256(staticConfig) }, true),
  ];
  if (crowdsec && acquis !== undefined) {
    const image = `crowdsecurity/crowdsec:${config.versions['crowdsec'] ?? 'latest'}`;
    services.push(service('crowdsec', crowdsecService(image, crowdsec, env.vars?.['GID'] ?? '1000'), { 'crowdsec/acquis.yaml': sha256(acquis) }, false));
  }
  const document = { services: Object.fromEntries(services.map((s) => [s.name, escapeDollars(s.definition)])) };
  const files: RenderedFile[] = [{ path: 'proxy/docker-compose.yml', content: toYaml(document), kind: 'compose' }];
  if (acquis !== undefined) files.push({ path: 'proxy/crowdsec/acquis.yaml', content: acquis, kind: 'crowdsec' });
  const project: RenderedProject = { name: 'proxy', kind: 'proxy', dir: 'proxy', composeFile: 'proxy/docker-compose.yml', services };
  return { project, files, warnings: socket.warning !== undefined ? [socket.warning] : [] };
}

/**
 * The engine socket the socket proxy mounts: DOCKER_HOST's unix socket, as the
 * socket proxy can only talk to a unix socket. A tcp:// (or ssh://) engine is
 * reached by compose over the network, so the proxy runs on that engine's
 * host and mounts the default socket there, with a warning saying so.
 */
export function engineSocket(dockerHost: string | undefined): { readonly path: string; readonly warning?: string } {
  if (dockerHost === undefined || dockerHost === '') return { path: PROXY_SOCKET };
  if (dockerHost.startsWith('unix://')) return { path: dockerHost.slice('unix://'.length) || PROXY_SOCKET };
  return {
    path: PROXY_SOCKET,
    warning: `DOCKER_HOST=${dockerHost} is not a unix socket: the socket proxy runs on that engine's host and mounts ${PROXY_SOCKET} there; if its engine socket is elsewhere, set DOCKER_HOST=unix://<path> on that host`,
  };
}

function service(name: string, definition: Record<string, unknown>, mounts: Record<string, string>, stateless: boolean): RenderedService {
  const hash = configHash({ service: definition, mounts });
  const labels = [...((definition['labels'] as string[] | undefined) ?? []), `${CONFIG_HASH_LABEL}=${hash}`];
  return {
    project: 'proxy',
    service: name,
    name,
    configHash: hash,
    image: definition['image'] as string,
    stateless,
    replicas: 1,
    definition: { ...definition, labels },
  };
}

function dockerProxy(socket: string): Record<string, unknown> {
  return {
    image: SOCKET_PROXY_IMAGE,
    command: [
      '-loglevel=info',
      '-allowfrom=127.0.0.1',
      // itsUP listens on 0.0.0.0 (and refuses all but 127.0.0.1); loopback alone keeps it off the network.
      '-listenip=127.0.0.1',
      // Traefik's docker provider: version, containers, events, and the /_ping probe (HEAD since Traefik 3.6).
      '-allowGET=/(_ping|v1\\..{1,2}/(version|containers/.*|events.*))',
      '-allowHEAD=/_ping',
      '-shutdowngracetime=5',
      '-watchdoginterval=600',
      '-stoponwatchdog',
      '-allowhealthcheck',
    ],
    network_mode: 'host',
    read_only: true,
    mem_limit: '64M',
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges'],
    // The image runs as 65534, which cannot open the engine socket (root:docker, 0660): itsUP's root, group 1.
    user: '0:1',
    restart: 'always',
    volumes: [`${socket}:${PROXY_SOCKET}:ro`],
    healthcheck: { test: ['CMD', './healthcheck'], interval: '10s', timeout: '5s', retries: 3, start_period: '1s' },
  };
}

function traefik(version: string, crowdsec: boolean): Record<string, unknown> {
  return {
    image: `traefik:${version}`,
    depends_on: {
      dockerproxy: { condition: 'service_started' },
      ...(crowdsec ? { crowdsec: { condition: 'service_healthy' } } : {}),
    },
    network_mode: 'host',
    restart: 'always',
    volumes: [
      './traefik/traefik.yml:/etc/traefik/traefik.yml:ro',
      './traefik/dynamic:/etc/traefik/dynamic:ro',
      '../data/acme:/etc/acme',
      '../logs:/var/log/traefik',
    ],
    environment: [`DOCKER_HOST=${DOCKER_PROXY_ENDPOINT}`],
    healthcheck: {
      test: ['CMD-SHELL', `test ! -f ${DRAIN_FILE} && traefik healthcheck`],
      // itsUP checks every 30 s; a Traefik rollout waits for the first healthy check.
      interval: '5s',
      timeout: '5s',
      retries: 3,
      start_period: '10s',
    },
  };
}

function crowdsecService(image: string, plugin: CrowdsecPlugin, gid: string): Record<string, unknown> {
  return {
    image,
    environment: {
      // itsUP writes ${GID-1000} for compose; railyard resolves it from its environment.
      GID: gid,
      COLLECTIONS: collections(plugin).join(' '),
      CUSTOM_HOSTNAME: 'crowdsec',
      ...(plugin.apikey !== undefined ? { BOUNCER_KEY_TRAEFIK: plugin.apikey } : {}),
    },
    // Published on loopback only: Traefik (host network) reaches the LAPI and AppSec there.
    ports: ['127.0.0.1:18080:8080', '127.0.0.1:7422:7422'],
    restart: 'unless-stopped',
    volumes: ['./crowdsec/acquis.yaml:/etc/crowdsec/acquis.yaml:ro', '../data/crowdsec:/var/lib/crowdsec/data/', '../logs:/var/log/traefik:ro'],
    labels: ['traefik.enable=false'],
    healthcheck: { test: ['CMD', 'cscli', 'version'], interval: '10s', timeout: '5s', retries: 3, start_period: '30s' },
  };
}

/** The bouncer asks AppSec unless db.yml's plugin options turn it off, as itsUP's always does. */
export function appsecEnabled(plugin: CrowdsecPlugin): boolean {
  return plugin.options['crowdsecAppsecEnabled'] !== false;
}

function collections(plugin: CrowdsecPlugin): string[] {
  const base = plugin.collections.length > 0 ? [...plugin.collections] : ['crowdsecurity/traefik'];
  return appsecEnabled(plugin) ? [...new Set([...base, ...APPSEC_COLLECTIONS])] : base;
}

/** CrowdSec's acquisition: Traefik's access log, and the AppSec listener the bouncer asks. */
function acquisition(plugin: CrowdsecPlugin): string {
  const logs = toYaml({ filenames: ['/var/log/traefik/access.log'], labels: { type: 'traefik' } });
  if (!appsecEnabled(plugin)) return logs;
  const listener = { source: 'appsec', name: 'appsec', listen_addr: '0.0.0.0:7422', appsec_config: 'crowdsecurity/appsec-default', labels: { type: 'appsec' } };
  return `${logs}---\n${toYaml(listener, { header: false })}`;
}
