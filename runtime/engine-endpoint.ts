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
