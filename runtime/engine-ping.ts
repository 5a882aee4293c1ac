import { createDocker, pingDocker } from './docker.ts';
import { endpointOf, endpointRequest, endpointUnreachable, type Endpoint } from './engine-endpoint.ts';

/**
 * Pings the engine at DOCKER_HOST with one HTTP request (`GET /_ping`) over
 * node:http, without loading dockerode: dockerode pulls in ssh2, gRPC and
 * protobufjs, some 25 MB in each thread that loads it (issue 17 item 6), and
 * an endpoint that only answers /healthz never needs them. https:// (TLS
 * client certificates) goes through dockerode, which reads DOCKER_CERT_PATH.
 */
export function enginePing(dockerHost: string | undefined): (timeoutMs: number) => Promise<void> {
  const target = endpointOf(dockerHost);
  if (target === undefined) return (timeoutMs) => pingDocker(createDocker(dockerHost), timeoutMs);
  return (timeoutMs) => pingEndpoint(target, timeoutMs);
}

/** `GET /_ping` at `target`; DOCKER_UNREACHABLE naming it when it does not answer 200 within `timeoutMs`. */
export function pingEndpoint(target: Endpoint, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (reason: string): void => reject(endpointUnreachable(target, reason));
    const req = endpointRequest(target, { path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else fail(`HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => {
      req.destroy();
      fail(`no answer within ${timeoutMs} ms`);
    });
    req.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    req.end();
  });
}
