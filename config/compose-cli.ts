import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How railyard runs Docker Compose: the program and the arguments before compose's own. */
export interface ComposeCli {
  readonly command: string;
  /** `['compose']` through the docker CLI; nothing for the plugin run on its own. */
  readonly prefix: readonly string[];
  /** The child's environment: railyard's own, DOCKER_HOST set where one was asked for. */
  readonly env: NodeJS.ProcessEnv;
}

/** Where the docker CLI looks for its plugins, in its order (after $DOCKER_CONFIG/cli-plugins). */
const SYSTEM_PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

const found = new Map<string, string | undefined>();

/**
 * The compose plugin's binary, run on its own: compose v2 runs standalone
 * with the same commands, and honours DOCKER_HOST, contexts and the CLI's
 * config. `docker compose` first starts the docker CLI, which costs 30–90 ms
 * a call (it reads its config and looks over every CLI plugin), several times
 * in each rollout. Without the plugin in the CLI's plugin folders: `docker compose`.
 */
export function composeCli(dockerHost: string | undefined, environ: NodeJS.ProcessEnv = process.env): ComposeCli {
  const configDir = environ['DOCKER_CONFIG'] ?? join(environ['HOME'] ?? homedir(), '.docker');
  const dirs = [join(configDir, 'cli-plugins'), ...SYSTEM_PLUGIN_DIRS];
  const key = dirs.join(':');
  if (!found.has(key)) found.set(key, dirs.map((dir) => join(dir, 'docker-compose')).find(executable));
  const plugin = found.get(key);
  if (plugin === undefined) return { command: 'docker', prefix: dockerHost === undefined ? ['compose'] : ['-H', dockerHost, 'compose'], env: environ };
  return { command: plugin, prefix: [], env: dockerHost === undefined ? environ : { ...environ, DOCKER_HOST: dockerHost } };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
