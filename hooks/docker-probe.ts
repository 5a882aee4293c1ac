import { pingDocker, type DockerClient } from '../runtime/docker.ts';

/** Whether the Docker engine answers, asked at most once per `ttlMs` (health checks come often). */
export interface DockerProbe {
  readonly docker: DockerClient;
  reachable(): Promise<boolean>;
}

export interface DockerProbeOptions {
  /** @default 5000 */
  readonly ttlMs?: number;
  /** @default 1000 */
  readonly timeoutMs?: number;
}

export function dockerProbe(docker: DockerClient, options: DockerProbeOptions = {}): DockerProbe {
  let last: { at: number; answer: Promise<boolean> } | undefined;
  return {
    docker,
    reachable() {
      const now = Date.now();
      if (last === undefined || now - last.at > (options.ttlMs ?? 5000)) {
        last = { at: now, answer: pingDocker(docker, options.timeoutMs ?? 1000).then(() => true, () => false) };
      }
      return last.answer;
    },
  };
}
