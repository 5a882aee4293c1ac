import type { DbConfig } from '../../config/db-types.ts';
import type { Env } from '../../config/env.ts';
import { NAME_PATTERN } from '../../config/semantic-checks.ts';
import { RailyardError } from '../../core/errors.ts';
import { checkOutput } from './check-output.ts';
import { renderProject, type SubnetOf } from './compose.ts';
import type { ProjectMemo } from './project-memo.ts';
import type { MountDigest } from './compose-service.ts';
import { renderProxy } from './proxy-compose.ts';
import { renderSwarmProxy, swarmStatic } from './swarm-proxy.ts';
import { renderSwarmProject } from './swarm-stack.ts';
import { routesOf, type Route } from './routes.ts';
import { traefikDynamic } from './traefik-dynamic.ts';
import { traefikMiddlewares } from './traefik-middlewares.ts';
import { traefikStatic } from './traefik-static.ts';
import type { RenderedFile, RenderedProject, RenderedStack } from './types.ts';
import { toYaml } from './yaml-out.ts';

/** The parts of the environment the rendered files depend on. */
export type RenderEnv = Pick<Env, 'trustedIpsCidrs' | 'letsencryptEmail' | 'letsencryptStaging' | 'traefikDomain' | 'traefikAdmin'>
  & Partial<Pick<Env, 'traefikWebAddress' | 'traefikWebSecureAddress' | 'dockerHost' | 'vars'>>;

export interface RenderOptions {
  /**
   * Digests of what services mount from their project folders, keyed
   * `<project>/<path>` (see `digestMounts`). A path not in the map counts as absent.
   */
  readonly mountDigests?: ReadonlyMap<string, string>;
  /** The subnet of each project's default network (see network-state.ts); without it Docker's default pools choose. */
  readonly subnetOf?: SubnetOf;
  /** Reuses the output of projects that did not change since the memo's last render. */
  readonly memo?: ProjectMemo;
  /** The stack root's id (runtime stackIdOf), labelled on every service it renders. */
  readonly stack?: string;
  /**
   * Render this db.yml project alone, as the whole render renders it, and
   * nothing else (no other project, no proxy): what a plan of one project
   * compares (issue 17 item 4: it rendered every project to show one). A
   * problem of another project's render (an unresolved variable in its
   * files) is left to the whole render, which apply runs.
   */
  readonly only?: string;
}

/**
 * Renders a validated db.yml into every file that runs the host. Pure: the same
 * config, env and digests give byte-identical files. Touches no disk.
 */
export function renderStack(config: DbConfig, env: RenderEnv, options: RenderOptions = {}): RenderedStack {
  if (options.only !== undefined) return renderProjectAlone(config, options.only, options);
  const { routes, warnings } = routesOf(config);
  const { files, dirs, projects } = renderProjects(config, routes, options);
  options.memo?.keep(new Set(config.projects.map((p) => p.name)));
  const staticEnv = { ...env, traefikWebAddress: env.traefikWebAddress ?? ':8080', traefikWebSecureAddress: env.traefikWebSecureAddress ?? ':8443' };
  const swarm = config.runtime === 'swarm';
  const staticObject = traefikStatic(config, staticEnv, routes);
  const staticConfig = toYaml(swarm ? swarmStatic(staticObject as Parameters<typeof swarmStatic>[0]) : staticObject);
  const proxy = swarm
    ? renderSwarmProxy(config, swarmStatic(staticObject as Parameters<typeof swarmStatic>[0]), staticConfig)
    : renderProxy(config, staticConfig, { dockerHost: env.dockerHost, ...(env.vars ? { vars: env.vars } : {}) });
  const dynamic = traefikDynamic(routes, env);
  files.push(
    ...proxy.files,
    { path: 'proxy/traefik/traefik.yml', content: staticConfig, kind: 'traefik' },
    ...Object.entries(dynamic).map(([name, value]): RenderedFile => ({ path: `proxy/traefik/dynamic/${name}`, content: toYaml(value), kind: 'traefik' })),
    { path: 'proxy/traefik/dynamic/middleware.yml', content: toYaml(traefikMiddlewares(config, env)), kind: 'traefik' },
  );
  checkOutput(files);
  return { files, dirs, projects: [...projects, proxy.project], warnings: [...warnings, ...proxy.warnings], routes };
}

/** Each project of `config` with its routes (the memo's output where it has one): files, folders and rendered projects. */
function renderProjects(config: DbConfig, routes: readonly Route[], options: RenderOptions): { files: RenderedFile[]; dirs: string[]; projects: RenderedProject[] } {
  for (const project of config.projects) {
    if (project.enabled && !NAME_PATTERN.test(project.name)) {
      throw new RailyardError('RENDER_UNSAFE_PATH', `project name ${JSON.stringify(project.name)} cannot be used as a folder name`, { project: project.name });
    }
  }
  const digests = options.mountDigests ?? new Map<string, string>();
  const digest: MountDigest = (project, path) => digests.get(`${project}/${path}`) ?? 'absent';
  const files: RenderedFile[] = [];
  const dirs: string[] = [];
  const projects: RenderedProject[] = [];
  const byProject = groupBy(routes, (route) => route.project);
  for (const project of config.projects) {
    const projectRoutes = byProject.get(project.name) ?? [];
    // A swarm project is rendered afresh (the memo keys on the project, not on the top-level runtime).
    const output = (project.runtime ?? config.runtime) === 'swarm'
      ? renderSwarmProject(project, projectRoutes, digest, options.stack)
      : options.memo
        ? options.memo.render(project, projectRoutes, digest, options.subnetOf, options.stack)
        : renderProject(project, projectRoutes, digest, options.subnetOf, options.stack);
    if (output === undefined) continue;
    files.push(...output.files);
    dirs.push(...output.dirs);
    projects.push(output.project);
  }
  return { files, dirs, projects };
}

/** `options.only` of renderStack: that project's files, folders and routes, as the whole render gives them. */
function renderProjectAlone(config: DbConfig, name: string, options: RenderOptions): RenderedStack {
  const project = config.projects.find((p) => p.name === name);
  if (project === undefined) throw new RailyardError('PROJECT_NOT_FOUND', `db.yml has no project ${JSON.stringify(name)}`, { project: name });
  const alone = { ...config, projects: [project] };
  const { routes, warnings } = routesOf(alone);
  const { files, dirs, projects } = renderProjects(alone, routes, options);
  checkOutput(files);
  return { files, dirs, projects, warnings, routes };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
