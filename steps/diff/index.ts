import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { DbConfig } from '../../config/db-types.ts';
import type { TraefikWait } from '../../config/env.ts';
import type { Step } from '../../pipeline/types.ts';
import { byStack, listContainers, stackIdOf, type ServiceContainer } from '../../runtime/containers.ts';
import { RailyardError } from '../../core/errors.ts';
import { dockerFor, pingSource, readSourceOf, type EngineSource } from '../../runtime/engine-read.ts';
import { localImageIds } from '../../runtime/images.ts';
import { buildPlan, type DesiredProject, type PlannedService, type PlanScope } from './plan.ts';
import { render, type RenderedStack } from '../render/index.ts';
import { toYaml } from '../render/yaml-out.ts';
import { unifiedDiff } from './unified-diff.ts';
import { validate } from '../validate.ts';
import { literalEnv } from '../render/swarm-stack.ts';
import { computeSwarmDiff } from './swarm.ts';

export type { PlannedService, PlanAction } from './plan.ts';

export interface DiffResult {
  /** One entry per service in scope, in render order, removals last. */
  readonly plan: readonly PlannedService[];
  /** Unified diff of each changed service's compose block, by `project/service`. */
  readonly diffs: Readonly<Record<string, string>>;
  /** Services whose action is not `unchanged`. */
  readonly changes: number;
  readonly desired: readonly DesiredProject[];
}

/** Where the last successfully applied compose file of a project is kept (the "old" side of diffs). */
export function appliedFile(root: string, project: string): string {
  return join(root, 'data', 'applied', project, 'docker-compose.yml');
}

/** Compares the rendered stack with the host: ONE container listing, ONE image listing. */
export const diff: Step<'diff', DiffResult> = {
  name: 'diff',
  needs: [validate, render],
  async run(ctx) {
    const { config } = ctx.resultOf(validate);
    const desired = desiredFromRender(ctx.resultOf(render), config, ctx.env.root, ctx.env);
    const scope = ctx.project === '*' ? { service: ctx.service } : { project: ctx.project, service: ctx.service };
    // Reads over plain HTTP: a run with nothing to change never loads dockerode.
    const result = await computeDiff(readSourceOf(ctx.clients), desired, scope, ctx.env.root);
    const counts = Object.fromEntries(['create', 'rollout', 'recreate', 'update', 'remove', 'unchanged'].map((a) => [a, result.plan.filter((p) => p.action === a).length]));
    ctx.log.info({ counts, changes: result.changes }, 'diff computed');
    return result;
  },
};

/** The plan and its diffs, shared by the diff step and `railyard plan`. */
export async function computeDiff(engine: EngineSource, desired: readonly DesiredProject[], scope: PlanScope, root: string): Promise<DiffResult> {
  await pingSource(engine);
  // A project's plan needs only that project's containers: listing the whole host costs a run per project O(host).
  const listing = scope.project === undefined ? {} : { project: scope.project };
  // runtime: swarm projects are planned from the swarm's services (steps/diff/swarm.ts).
  const swarm = desired.filter((p) => p.runtime === 'swarm');
  const [listed, imageIds, swarmed] = await Promise.all([
    listContainers(engine, listing),
    localImageIds(engine),
    swarm.length > 0 ? computeSwarmDiff(dockerFor(engine), swarm, scope, root) : undefined,
  ]);
  const { ours, foreign } = byStack(listed, stackIdOf(root));
  const composeDesired = desired.filter((p) => p.runtime !== 'swarm');
  refuseForeign(composeDesired, foreign, scope);
  const plan: PlannedService[] = [...buildPlan(composeDesired, ours, imageIds, scope), ...(swarmed?.plan ?? [])];
  const diffs: Record<string, string> = { ...swarmed?.diffs };
  for (const entry of plan) {
    if (entry.action === 'unchanged' || entry.action === 'remove' || entry.desired === undefined || diffs[`${entry.project}/${entry.service}`] !== undefined) continue;
    if (swarm.some((p) => p.name === entry.project)) continue;
    const old = await previousBlock(root, entry, desired);
    const text = unifiedDiff(old, blockYaml(entry.service, entry.desired.definition), `a/${entry.project}/${entry.service}`, `b/${entry.project}/${entry.service}`);
    if (text !== '') diffs[`${entry.project}/${entry.service}`] = text;
  }
  return { plan, diffs, changes: plan.filter((p) => p.action !== 'unchanged').length, desired };
}

/**
 * A project this stack renders whose containers another stack root deployed:
 * compose would take them over, so nothing is planned for it.
 */
function refuseForeign(desired: readonly DesiredProject[], foreign: readonly ServiceContainer[], scope: PlanScope): void {
  const inScope = (name: string): boolean => scope.project === undefined || scope.project.toLowerCase() === name.toLowerCase();
  for (const project of desired) {
    const taken = foreign.find((c) => inScope(project.name) && c.project === project.name.toLowerCase());
    if (taken === undefined) continue;
    throw new RailyardError(
      'STACK_CONFLICT',
      `Project ${project.name} is deployed on this engine by another stack root (${taken.stack}): rename the project in one of them, or deploy it from one root only`,
      { project: project.name },
    );
  }
}

/** What a drain waits for once the old container is unhealthy (steps/rollout/drain.ts), as plan says it. */
const proxyDropText = (proxy: TraefikWait): string =>
  proxy.traefikApiUrl !== undefined ? "Traefik's API until it drops it" : `Traefik's ${proxy.traefikThrottleMs} ms reload throttle (no TRAEFIK_API_URL to ask)`;

/** Adapts render's output (and db.yml's rollout settings) to what the planner compares. */
export function desiredFromRender(stack: RenderedStack, config: DbConfig, root: string, proxy?: TraefikWait): DesiredProject[] {
  const proxyDrop = proxy === undefined ? undefined : proxyDropText(proxy);
  // One map, not a search of db.yml per service: that was quadratic (644 ms at 5,000 projects).
  const rollouts = new Map<string, DbConfig['projects'][number]['services'][number]['rollout']>();
  for (const p of config.projects) {
    for (const s of p.services) if (!rollouts.has(`${p.name}\0${s.host}`)) rollouts.set(`${p.name}\0${s.host}`, s.rollout);
  }
  return stack.projects.map((project) => ({
    name: project.name,
    composeFile: join(root, project.composeFile),
    ...(project.runtime === 'swarm' ? { runtime: 'swarm' as const, env: swarmEnv(config, project.name) } : {}),
    services: project.services.map((service) => ({
      project: project.name,
      service: service.name,
      configHash: service.configHash,
      image: service.image,
      stateless: service.stateless,
      replicas: service.replicas,
      definition: service.definition,
      rollout: rollouts.get(`${project.name}\0${service.service}`),
      proxyDrop,
    })),
  }));
}

function swarmEnv(config: DbConfig, name: string): Record<string, string> {
  const project = config.projects.find((p) => p.name === name);
  if (project === undefined) return {};
  return Object.fromEntries(Object.entries(literalEnv(project)).filter((e): e is [string, string] => e[1] !== null));
}

function blockYaml(service: string, definition: unknown): string {
  return toYaml({ [service]: definition }, { header: false });
}

async function previousBlock(root: string, entry: PlannedService, desired: readonly DesiredProject[]): Promise<string> {
  const project = desired.find((p) => p.name === entry.project); // once per changed service only
  for (const file of [appliedFile(root, entry.project), project?.composeFile]) {
    if (file === undefined) continue;
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const old = (load(text) as { services?: Record<string, unknown> } | null)?.services?.[entry.service];
    return old === undefined ? '' : blockYaml(entry.service, unescape(old));
  }
  return '';
}

/** The file holds `$$` for each literal `$` (see render's escapeDollars); show values as rendered. */
function unescape(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('$$', '$');
  if (Array.isArray(value)) return value.map(unescape);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescape(v)]));
  return value;
}

