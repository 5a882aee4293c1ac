import type { ClientRequest, IncomingMessage } from 'node:http';
import { RailyardError } from '../core/errors.ts';
import { DEFAULT_SOCKET } from './docker.ts';

/** Where node:http reaches the engine, and how messages name it. */
export interface Endpoint {
  readonly label: string;
  readonly options: { socketPath: string } | { host: string; port: number };
}

/**
 * The plain-HTTP endpoint of DOCKER_HOST (`unix://`, `tcp://`, `http://`, or
 * the default socket); undefined for what only dockerode handles (https://
 * with DOCKER_CERT_PATH) or cannot parse (createDocker says why).
 */
export function endpointOf(dockerHost: string | undefined): Endpoint | undefined {
  if (dockerHost === undefined || dockerHost === '') return { label: `unix://${DEFAULT_SOCKET}`, options: { socketPath: DEFAULT_SOCKET } };
  let url: URL;
  try {
    url = new URL(dockerHost);
  } catch {
    return undefined;
  }
  if (url.protocol === 'unix:') return { label: `unix://${url.pathname}`, options: { socketPath: url.pathname } };
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    const port = url.port === '' ? 2375 : Number(url.port);
    return { label: `tcp://${url.hostname}:${port}`, options: { host: url.hostname, port } };
  }
  return undefined;
}

/**
 * A request to the engine at `target` over node:http, taken at the call: an
 * ESM import of node:http loads undici at start-up (~30 ms; issue 17 item 4).
 * `servername` (TLS only, unused on plain HTTP) is given so node's agent does
 * not work it out with net.isIP, whose first call compiles the IPv6 pattern
 * (~5 ms of every command that reads the engine).
 */
export function endpointRequest(target: Endpoint, init: { readonly path: string; readonly method: string; readonly timeout?: number }, callback: (res: IncomingMessage) => void): ClientRequest {
  const options = { ...target.options, ...init, servername: '' };
  return process.getBuiltinModule('node:http').request(options, callback);
}

/** The DOCKER_UNREACHABLE of an engine at `target` that did not answer as it should, with why. */
export function endpointUnreachable(target: Endpoint, reason: string, cause?: unknown): RailyardError {
  return new RailyardError('DOCKER_UNREACHABLE', `Docker engine unreachable at ${target.label} (${reason}); start dockerd or set DOCKER_HOST`, {
    ...(cause !== undefined && { cause }), data: { endpoint: target.label },
  });
}
