import type { Healthcheck, Rollout } from '../../config/db-types.ts';
import { groupByService, serviceKey, type ServiceContainer } from '../../runtime/containers.ts';
import { normalizeRef } from '../../runtime/images.ts';
import { drainMode } from '../render/drain-healthcheck.ts';

/** One compose service the host should run (adapted from render's RenderedService). */
export interface DesiredService {
  readonly project: string;
  /** Compose service name. */
  readonly service: string;
  readonly configHash: string;
  readonly image: string;
  readonly stateless: boolean;
  readonly replicas: number;
  /** The rendered compose block. */
  readonly definition: Readonly<Record<string, unknown>>;
  readonly rollout?: Rollout | undefined;
  /** How a marker drain learns that the proxy dropped a container (desiredFromRender), for plan. */
  readonly proxyDrop?: string | undefined;
}

export interface DesiredProject {
  readonly name: string;
  /** Absolute path of the rendered compose file. */
  readonly composeFile: string;
  readonly services: readonly DesiredService[];
  /** A swarm stack (planned by swarm-plan.ts). @default 'compose' */
  readonly runtime?: 'compose' | 'swarm';
  /** runtime: swarm: the project's env, passed to `docker stack deploy` (it reads no .env). */
  readonly env?: Readonly<Record<string, string>>;
}

/** `update`: a swarm service whose spec changes (Swarm runs the rolling update). */
export type PlanAction = 'create' | 'unchanged' | 'rollout' | 'recreate' | 'remove' | 'update';

export interface PlannedService {
  readonly project: string;
  readonly service: string;
  readonly action: PlanAction;
  /** Why, in a few words: `config changed`, `stateful`, `container_name is set`. */
  readonly reason: string;
  /** Containers of the service found by the listing. */
  readonly containers: readonly ServiceContainer[];
  /** Absent for `remove`. */
  readonly desired?: DesiredService;
  readonly composeFile?: string;
  readonly warnings: readonly string[];
}

export interface PlanScope {
  /** Plan one project only (case-insensitive). */
  readonly project?: string | undefined;
  readonly service?: string | undefined;
}

/**
 * The plan: one action per service, from the desired state, ONE container
 * listing and ONE image listing. Pure: no Docker calls here.
 */
export function buildPlan(
  desired: readonly DesiredProject[],
  containers: readonly ServiceContainer[],
  imageIds: ReadonlyMap<string, string>,
  scope: PlanScope = {},
): PlannedService[] {
  const inScope = (project: string, service?: string): boolean =>
    (scope.project === undefined || scope.project.toLowerCase() === project.toLowerCase()) &&
    (scope.service === undefined || service === undefined || scope.service === service);
  const groups = groupByService(containers);
  const planned: PlannedService[] = [];
  const wanted = new Set<string>();
  for (const project of desired) {
    for (const service of project.services) {
      wanted.add(serviceKey(service.project, service.service));
      if (!inScope(project.name, service.service)) continue;
      const current = groups.get(serviceKey(service.project, service.service)) ?? [];
      planned.push({ ...planService(service, current, imageIds.get(normalizeRef(service.image))), composeFile: project.composeFile });
    }
  }
  for (const [key, current] of groups) {
    const first = current[0]!;
    if (wanted.has(key) || !current.some((c) => c.configHash !== undefined) || !inScope(first.project, first.service)) continue;
    const projectLive = desired.some((p) => p.name.toLowerCase() === first.project);
    const reason = projectLive ? 'service left db.yml' : 'project disabled or removed';
    planned.push({ project: first.project, service: first.service, action: 'remove', reason, containers: current, warnings: [] });
  }
  return planned;
}

type Decided = Omit<PlannedService, 'composeFile'>;

function planService(desired: DesiredService, current: readonly ServiceContainer[], imageId: string | undefined): Decided {
  const base = { project: desired.project, service: desired.service, containers: current, desired };
  if (current.length === 0) return { ...base, action: 'create', reason: 'no containers yet', warnings: [] };
  const changes = whatChanged(desired, current, imageId);
  if (changes.length === 0) return { ...base, action: 'unchanged', reason: 'config hash and image match', warnings: [] };
  const fixed = cannotRunTwice(desired.definition);
  const recreateWhy = !desired.stateless ? 'stateful' : fixed ?? (desired.rollout?.strategy === 'recreate' ? 'rollout.strategy is recreate' : undefined);
  if (recreateWhy !== undefined) return { ...base, action: 'recreate', reason: `${changes.join(', ')}; ${recreateWhy}`, warnings: [] };
  const warnings = hasHealthcheck(desired.definition) ? [] : [`${desired.service}: no healthcheck in db.yml; a healthcheck is strongly advised (without one the rollout waits rollout.settle)`];
  return { ...base, action: 'rollout', reason: `${changes.join(', ')}; stateless; ${drainSummary(desired)}`, warnings };
}

/** How the rollout takes the old containers out of rotation (README "Rollouts"), for plan. */
function drainSummary(desired: DesiredService): string {
  const mode = drainMode(desired.definition['healthcheck'] as Healthcheck | undefined);
  if (mode.kind === 'marker') return `drain: healthcheck marker${desired.proxyDrop === undefined ? '' : `, then ${desired.proxyDrop}`}`;
  const drain = desired.rollout?.drain;
  return `drain: ${drain !== undefined ? `rollout.drain ${drain}` : 'none, stops at once'} (no marker: ${mode.why})`;
}

function whatChanged(desired: DesiredService, current: readonly ServiceContainer[], imageId: string | undefined): string[] {
  const changes: string[] = [];
  const running = current.filter((c) => c.state === 'running');
  if (running.some((c) => c.configHash !== desired.configHash)) changes.push('config changed');
  if (imageId === undefined) changes.push(`image ${desired.image} not present locally`);
  else if (running.some((c) => c.imageId !== imageId)) changes.push(`image ${desired.image} moved to ${imageId.slice(7, 19)}`);
  if (current.length > desired.replicas || current.some((c) => c.state === 'created')) {
    changes.push(`leftover containers (${current.length} for ${desired.replicas} replica${desired.replicas === 1 ? '' : 's'})`);
  } else if (running.length < desired.replicas) {
    changes.push(`${running.length} of ${desired.replicas} running`);
  }
  return changes;
}

/** Why two copies of the service cannot run side by side, if they cannot. */
export function cannotRunTwice(definition: Readonly<Record<string, unknown>>): string | undefined {
  if (definition['container_name'] !== undefined) return 'container_name is set';
  if (definition['network_mode'] === 'host') return 'host network';
  const ports = definition['ports'];
  if (Array.isArray(ports) && ports.some(isFixedHostPort)) return 'fixed host ports';
  return undefined;
}

function isFixedHostPort(port: unknown): boolean {
  if (typeof port === 'number') return false;
  if (typeof port === 'string') return /^(?:[^:]*:)?\d+(?:-\d+)?:\d+/.test(port.replace(/^\[[^\]]*\]:/, 'x:'));
  if (port !== null && typeof port === 'object') return (port as { published?: unknown }).published !== undefined;
  return false;
}

function hasHealthcheck(definition: Readonly<Record<string, unknown>>): boolean {
  const healthcheck = definition['healthcheck'] as { disable?: boolean } | undefined;
  return healthcheck !== undefined && healthcheck.disable !== true;
}
