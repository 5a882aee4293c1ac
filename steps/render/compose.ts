import type { Project, Service } from '../../config/db-types.ts';
import { LITERAL_DOLLAR } from '../../config/interpolate.ts';
import { composeService, type ComposeServiceOutput, type MountDigest } from './compose-service.ts';
import { sha256 } from './config-hash.ts';
import { renderDotenv } from './dotenv.ts';
import { PROXY_NETWORK, type Route } from './routes.ts';
import type { RenderedFile, RenderedProject, RenderedService } from './types.ts';
import { escapeDollars, toYaml } from './yaml-out.ts';

export interface ProjectOutput {
  readonly project: RenderedProject;
  readonly files: readonly RenderedFile[];
  /** Data folders to create, relative to the stack root. */
  readonly dirs: readonly string[];
}

/**
 * `upstream/<project>/docker-compose.yml` (and `.env` for project env), or
 * undefined when the project is disabled or has no service with an image.
 */
export function renderProject(project: Project, routes: readonly Route[], digest: MountDigest, subnetOf?: SubnetOf, stack?: string): ProjectOutput | undefined {
  if (!project.enabled) return undefined;
  const services = project.services.filter((s): s is Service & { image: string } => s.image !== undefined);
  if (services.length === 0) return undefined;
  const dir = `upstream/${project.name}`;
  const env = Object.keys(project.env).length > 0 ? renderDotenv(literalValues(project.env), project.name) : undefined;
  // The .env is about to be (re)written: hash what will be there, not what is on disk.
  const digestWithEnv: MountDigest = (name, path) => (path === '.env' ? (env === undefined ? 'absent' : sha256(env)) : digest(name, path));
  const composeHosts = new Set(services.map((s) => s.host));
  const outputs = services.map((service) =>
    composeService({ project, service, composeHosts, routes: routes.filter((r) => r.service === service.host), digest: digestWithEnv, stack }),
  );
  const usesProxynet = outputs.some((o) => networkNames(o.definition['networks']).includes(PROXY_NETWORK));
  const subnet = subnetOf !== undefined && outputs.some((o) => usesDefaultNetwork(o.definition)) ? subnetOf(project.name) : undefined;
  const networks = {
    ...(subnet !== undefined ? { default: { ipam: { config: [{ subnet }] } } } : {}),
    ...(usesProxynet ? { [PROXY_NETWORK]: { name: PROXY_NETWORK, external: true } } : {}),
  };
  const document = {
    services: Object.fromEntries(outputs.map((o) => [o.name, escapeDollars(o.definition)])),
    ...(Object.keys(networks).length > 0 ? { networks } : {}),
  };
  const files: RenderedFile[] = [{ path: `${dir}/docker-compose.yml`, content: toYaml(document), kind: 'compose' }];
  if (env !== undefined) files.push({ path: `${dir}/.env`, content: env, kind: 'dotenv' });
  return {
    project: {
      name: project.name,
      kind: 'upstream',
      dir,
      composeFile: `${dir}/docker-compose.yml`,
      services: renderedServices(project.name, services, outputs),
    },
    files,
    dirs: outputs.flatMap((o) => o.dataDirs.map((d) => `${dir}/${d}`)),
  };
}

/** The rendered services of a project, as the diff compares them (shared with swarm-stack.ts). */
export function renderedServices(project: string, services: readonly (Service & { image: string })[], outputs: readonly ComposeServiceOutput[]): RenderedService[] {
  return services.map((service, index) => {
    const output = outputs[index]!;
    return {
      project,
      service: service.host,
      name: output.name,
      configHash: output.configHash,
      image: service.image,
      stateless: service.stateless,
      replicas: service.replicas,
      definition: output.definition,
    };
  });
}

/** The .env writer escapes every `$`: a literal-`$` mark is just a `$` there. */
function literalValues(env: Readonly<Record<string, string | null>>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? null : v.replaceAll(LITERAL_DOLLAR, '$')]));
}

/**
 * The subnet of a project's compose default network. Each project's own network
 * otherwise takes a /16 or /20 from Docker's default pools, which run out near
 * 30 projects ("could not find an available, non-overlapping IPv4 address pool").
 */
export type SubnetOf = (project: string) => string;

/** A service without `networks` (or `network_mode`) is on the default network, as is one that names it. */
function usesDefaultNetwork(definition: Readonly<Record<string, unknown>>): boolean {
  if (definition['network_mode'] !== undefined) return false;
  return definition['networks'] === undefined || networkNames(definition['networks']).includes('default');
}

/** Names in a service's `networks`, list or mapping form. */
function networkNames(networks: unknown): string[] {
  if (Array.isArray(networks)) return networks.filter((n): n is string => typeof n === 'string');
  return networks !== null && typeof networks === 'object' ? Object.keys(networks) : [];
}
