import type { Clients, DockerClient } from '../runtime/docker.ts';

/** Whether the Docker engine answers, asked at most once per `ttlMs` (health checks come often). */
export interface DockerProbe {
  /** The client, built on first use (the API's project listing). */
  readonly docker: DockerClient;
  reachable(): Promise<boolean>;
}

export interface DockerProbeOptions {
  /** @default 5000 */
  readonly ttlMs?: number;
  /** @default 1000 */
  readonly timeoutMs?: number;
}

/** `ping` asks the engine (see runtime/engine-ping.ts: no dockerode for a health check). */
export function dockerProbe(clients: Clients, ping: (timeoutMs: number) => Promise<void>, options: DockerProbeOptions = {}): DockerProbe {
  let last: { at: number; answer: Promise<boolean> } | undefined;
  return {
    get docker() {
      return clients.docker;
    },
    reachable() {
      const now = Date.now();
      if (last === undefined || now - last.at > (options.ttlMs ?? 5000)) {
        last = { at: now, answer: ping(options.timeoutMs ?? 1000).then(() => true, () => false) };
      }
      return last.answer;
    },
  };
}
