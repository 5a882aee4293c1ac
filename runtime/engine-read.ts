import type Docker from 'dockerode';
import { createDocker, lazyHostOf, pingDocker, unreachable, type Clients } from './docker.ts';
import { endpointOf, endpointRequest, endpointUnreachable, type Endpoint } from './engine-endpoint.ts';
import { pingEndpoint } from './engine-ping.ts';

/**
 * Where the engine's read-only listings come from: the dockerode client, or
 * a plain node:http endpoint. Loading dockerode (ssh2, gRPC, protobufjs) costs
 * ~0.8 s of a command under load (issue 17 item 4) and a no-change plan only
 * lists containers and images; whatever changes the host keeps dockerode.
 */
export type EngineSource = Docker | { readonly endpoint: Endpoint };

/** The source for reads through `clients`: plain HTTP when lazyClients built them for a unix:// or tcp:// engine. */
export function readSourceOf(clients: Clients): EngineSource {
  const lazy = lazyHostOf(clients);
  const endpoint = lazy.known ? endpointOf(lazy.dockerHost) : undefined;
  return endpoint === undefined ? clients.docker : { endpoint };
}

/** The plain-HTTP source for DOCKER_HOST, or dockerode (built by `fallback`) for what only it handles. */
export function readSourceFor(dockerHost: string | undefined, fallback: () => Docker): EngineSource {
  const endpoint = endpointOf(dockerHost);
  return endpoint === undefined ? fallback() : { endpoint };
}

/** A dockerode client for the same engine, for what plain reads do not cover (swarm services); loads dockerode. */
export function dockerFor(source: EngineSource): Docker {
  return isDocker(source) ? source : createDocker(source.endpoint.label);
}

/** A dockerode client, not a plain endpoint (also for the event sources of runtime/events.ts). */
export function isDocker<T extends object>(source: Docker | T): source is Docker {
  return 'modem' in source;
}

/** Resolves when the engine answers; DOCKER_UNREACHABLE naming the endpoint otherwise. */
export function pingSource(source: EngineSource, timeoutMs = 5000): Promise<void> {
  return isDocker(source) ? pingDocker(source, timeoutMs) : pingEndpoint(source.endpoint, timeoutMs);
}

/**
 * `GET path` of the Engine API as parsed JSON: over node:http for an endpoint,
 * else by `viaDockerode` (the same unversioned API path dockerode uses, so
 * both return the same shapes). Any failure is DOCKER_UNREACHABLE.
 */
export async function engineGet<T>(source: EngineSource, path: string, viaDockerode: (docker: Docker) => Promise<T>): Promise<T> {
  if (isDocker(source)) {
    try {
      return await viaDockerode(source);
    } catch (error) {
      throw unreachable(source, error);
    }
  }
  return getJson<T>(source.endpoint, path);
}

function getJson<T>(target: Endpoint, path: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (reason: string, cause?: unknown): void => reject(endpointUnreachable(target, reason, cause));
    const req = endpointRequest(target, { path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message, error));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}: ${body.trim().slice(0, 200)}`);
        try {
          resolve(JSON.parse(body) as T);
        } catch (error) {
          fail('answer is not JSON', error);
        }
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message, error));
    req.end();
  });
}

/** `?all=1&filters=...` the way dockerode encodes list options. */
export function listQuery(options: { all?: boolean; filters?: Record<string, string[]> }): string {
  const params = new URLSearchParams();
  if (options.all) params.set('all', 'true');
  if (options.filters !== undefined) params.set('filters', JSON.stringify(options.filters));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
