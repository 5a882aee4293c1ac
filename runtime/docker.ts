import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import { RailyardError } from '../core/errors.ts';

/** Clients shared by every step, built once so tests can point them at test servers. */
export interface Clients {
  /** dockerode client honouring DOCKER_HOST (only runtime/ calls it). */
  readonly docker: Docker;
}

/** The engine client type, for code above runtime/ that passes the client on without calling it. */
export type DockerClient = Docker;

const require = createRequire(import.meta.url);
let DockerClient: typeof Docker | undefined;

/** dockerode (and its gRPC stack) is loaded on first use: a backup or `railyard validate` never pays for it. */
function dockerode(): typeof Docker {
  DockerClient ??= require('dockerode') as typeof Docker;
  return DockerClient;
}

/** The default engine socket, used when DOCKER_HOST is not set. */
export const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * Builds the one dockerode client for `DOCKER_HOST` (`unix://` or `tcp://`),
 * or the default socket. TLS for tcp:// follows DOCKER_TLS_VERIFY/DOCKER_CERT_PATH
 * through docker-modem.
 */
export function createDocker(dockerHost: string | undefined): Docker {
  const Docker = dockerode();
  if (dockerHost === undefined || dockerHost === '') return new Docker({ socketPath: DEFAULT_SOCKET });
  let url: URL;
  try {
    url = new URL(dockerHost);
  } catch (error) {
    throw new RailyardError('DOCKER_UNREACHABLE', `DOCKER_HOST=${dockerHost} is not a URL`, { cause: error });
  }
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const https = url.protocol === 'https:';
    return new Docker({ host: url.hostname, port: url.port === '' ? (https ? 2376 : 2375) : Number(url.port), protocol: https ? 'https' : 'http' });
  }
  throw new RailyardError('DOCKER_UNREACHABLE', `DOCKER_HOST=${dockerHost}: only unix:// and tcp:// are supported`);
}

/** Where a client points, for messages: `unix:///var/run/docker.sock` or `tcp://host:2375`. */
export function dockerEndpoint(docker: Docker): string {
  const modem = docker.modem as { socketPath?: unknown; host?: unknown; port?: unknown };
  if (typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  return `tcp://${String(modem.host)}:${String(modem.port)}`;
}

/** Resolves when the engine answers; otherwise one clear DOCKER_UNREACHABLE naming the endpoint. */
export async function pingDocker(docker: Docker, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw unreachable(docker, error);
  } finally {
    clearTimeout(timer);
  }
}

/** The error for an engine that does not answer: names the endpoint and how to change it. */
export function unreachable(docker: Docker, cause: unknown): RailyardError {
  const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? (cause instanceof Error ? cause.message : String(cause));
  return new RailyardError(
    'DOCKER_UNREACHABLE',
    `Docker engine unreachable at ${dockerEndpoint(docker)} (${reason}); start dockerd or set DOCKER_HOST`,
    { cause, data: { endpoint: dockerEndpoint(docker) } },
  );
}

/** The clients shared by every step, each built on first use (a backup run never builds a Docker client). */
export function lazyClients(dockerHost: string | undefined): Clients {
  let docker: Docker | undefined;
  const clients = {
    get docker(): Docker {
      docker ??= createDocker(dockerHost);
      return docker;
    },
  };
  lazyHosts.set(clients, dockerHost);
  return clients;
}

/** DOCKER_HOST of clients lazyClients built: reads can reach that engine without dockerode (runtime/engine-read.ts). */
const lazyHosts = new WeakMap<Clients, string | undefined>();

/** The DOCKER_HOST `clients` were built for by lazyClients; `{ known: false }` for clients built otherwise (tests). */
export function lazyHostOf(clients: Clients): { known: true; dockerHost: string | undefined } | { known: false } {
  return lazyHosts.has(clients) ? { known: true, dockerHost: lazyHosts.get(clients) } : { known: false };
}
