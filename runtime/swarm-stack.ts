import type Docker from 'dockerode';
import { RailyardError } from '../core/errors.ts';
import { unreachable } from './docker.ts';

export interface StackTarget {
  /** Stack name: the db.yml project, lowercased (as compose project names). */
  readonly stack: string;
  readonly file?: string;
  /** Variables the stack file refers to: `docker stack deploy` reads no .env. */
  readonly env?: Readonly<Record<string, string>>;
  readonly dockerHost?: string | undefined;
  /** Send the registry credentials of `docker login` to the nodes. */
  readonly withRegistryAuth?: boolean;
}

/** `docker stack deploy --prune -c <file> <stack>` (argv, no shell). --prune drops services that left the file. */
export async function stackDeploy(target: StackTarget): Promise<void> {
  if (target.file === undefined) throw new TypeError('stackDeploy needs a file');
  const args = ['stack', 'deploy', '--prune', '--detach=true', '-c', target.file];
  if (target.withRegistryAuth) args.push('--with-registry-auth');
  await runDocker(target, [...args, target.stack]);
}

/** `docker stack rm <stack>`: services and stack networks go; volumes and upstream/<project>/ stay. */
export async function stackRm(target: StackTarget): Promise<void> {
  await runDocker(target, ['stack', 'rm', target.stack]);
}

async function runDocker(target: StackTarget, argv: readonly string[]): Promise<void> {
  const env: Record<string, string> = { ...(target.env ?? {}) };
  if (target.dockerHost !== undefined) env['DOCKER_HOST'] = target.dockerHost;
  const { execa, ExecaError } = await import('execa');
  try {
    await execa('docker', argv, { env, stdin: 'ignore' });
  } catch (error) {
    const stderr = error instanceof ExecaError ? String(error.stderr ?? '') : '';
    const tail = stderr.trim().split('\n').slice(-3).join(' | ') || (error as Error).message;
    throw new RailyardError('COMPOSE_FAILED', `docker ${argv.slice(0, 2).join(' ')} ${target.stack} failed: ${tail}`, {
      cause: error,
      project: target.stack,
      data: { argv, stderr: stderr.slice(-4000) },
    });
  }
}

/**
 * proxynet as an attachable overlay (Traefik and every stack share it; compose
 * containers on a manager can join it too). A bridge proxynet left by
 * runtime: compose is refused with what to do: the two cannot share a name.
 */
export async function ensureOverlay(docker: Docker, name: string): Promise<boolean> {
  try {
    const existing = (await docker.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name);
    if (existing !== undefined) {
      if (existing.Driver !== 'overlay') {
        throw new RailyardError('SWARM_UNAVAILABLE', `network ${name} exists with driver ${existing.Driver}; runtime: swarm needs an attachable overlay: stop the compose projects on it, docker network rm ${name}, then apply again`, { data: { driver: existing.Driver } });
      }
      return false;
    }
    await docker.createNetwork({ Name: name, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: { 'railyard.network': name } });
    return true;
  } catch (error) {
    if (error instanceof RailyardError) throw error;
    if ((error as { statusCode?: number }).statusCode === 409) return false;
    throw unreachable(docker, error);
  }
}
