import type { Project, Service } from '../../config/db-types.ts';
import { LITERAL_DOLLAR } from '../../config/interpolate.ts';
import { renderedServices, type ProjectOutput } from './compose.ts';
import { composeService, type MountDigest } from './compose-service.ts';
import { sha256 } from './config-hash.ts';
import { renderDotenv } from './dotenv.ts';
import { PROXY_NETWORK, type Route } from './routes.ts';
import { swarmService } from './swarm-service.ts';
import type { RenderedFile } from './types.ts';
import { escapeDollars, toYaml } from './yaml-out.ts';

/** The stack file of a project under runtime: swarm. */
export const STACK_FILE = 'docker-stack.yml';

/**
 * proxynet under swarm: an attachable overlay, so Traefik (a swarm service)
 * and the tasks on every node share it. railyard creates it before the first
 * deploy (runtime/swarm-network.ts): stacks only refer to it.
 */
export const SWARM_PROXY_NETWORK = { name: PROXY_NETWORK, external: true } as const;

/**
 * `upstream/<project>/docker-stack.yml` (and `.env`, read at deploy time:
 * `docker stack deploy` does not read it), or undefined when disabled or imageless.
 * `stack` is the stack root's id, labelled `railyard.stack` on each service spec.
 */
export function renderSwarmProject(project: Project, routes: readonly Route[], digest: MountDigest, stack?: string): ProjectOutput | undefined {
  if (!project.enabled) return undefined;
  const services = project.services.filter((s): s is Service & { image: string } => s.image !== undefined);
  if (services.length === 0) return undefined;
  const dir = `upstream/${project.name}`;
  const env = Object.keys(project.env).length > 0 ? renderDotenv(literalEnv(project), project.name) : undefined;
  const digestWithEnv: MountDigest = (name, path) => (path === '.env' ? (env === undefined ? 'absent' : sha256(env)) : digest(name, path));
  const hosts = new Set(services.map((s) => s.host));
  const outputs = services.map((service) => {
    const compose = composeService({ project, service, composeHosts: hosts, routes: routes.filter((r) => r.service === service.host), digest: digestWithEnv });
    return swarmService(project, service, compose, digestWithEnv, stack);
  });
  const usesProxynet = services.some((s) => s.ingress.length > 0);
  const document = {
    services: Object.fromEntries(outputs.map((o) => [o.name, escapeDollars(o.definition)])),
    ...(usesProxynet ? { networks: { [PROXY_NETWORK]: SWARM_PROXY_NETWORK } } : {}),
  };
  const file = `${dir}/${STACK_FILE}`;
  const files: RenderedFile[] = [{ path: file, content: toYaml(document), kind: 'compose' }];
  if (env !== undefined) files.push({ path: `${dir}/.env`, content: env, kind: 'dotenv' });
  return {
    project: {
      name: project.name,
      kind: 'upstream',
      runtime: 'swarm',
      dir,
      composeFile: file,
      services: renderedServices(project.name, services, outputs),
    },
    files,
    dirs: outputs.flatMap((o) => o.dataDirs.map((d) => `${dir}/${d}`)),
  };
}

/** Project env with literal-`$` marks as plain `$`: what the .env holds and what deploy passes on. */
export function literalEnv(project: Project): Record<string, string | null> {
  return Object.fromEntries(Object.entries(project.env).map(([k, v]) => [k, v === null ? null : v.replaceAll(LITERAL_DOLLAR, '$')]));
}
