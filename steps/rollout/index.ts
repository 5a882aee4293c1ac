import { copyFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TraefikWait } from '../../config/env.ts';
import type { Logger } from 'pino';
import { RailyardError } from '../../core/errors.ts';
import type { Step } from '../../pipeline/types.ts';
import type { Clients, DockerClient } from '../../runtime/docker.ts';
import { engineGet, isDocker } from '../../runtime/engine-read.ts';
import { eventSourceOf } from '../../runtime/events.ts';
import { composeDown, composeUp, type ComposeTarget } from '../../runtime/compose.ts';
import { ensureNetwork, PROXY_NETWORK } from '../../runtime/network.ts';
import { appliedFile, diff, type DiffResult } from '../diff/index.ts';
import type { PlannedService } from '../diff/plan.ts';
import { applyService } from './apply-service.ts';
import { isSwarmEntry } from '../diff/swarm-plan.ts';
import { applySwarm } from './swarm.ts';
import type { RolloutEngine } from './zero-downtime.ts';

export interface ServiceOutcome {
  readonly project: string;
  readonly service: string;
  readonly action: PlannedService['action'];
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: RailyardError;
}

export interface RolloutResult {
  readonly services: readonly ServiceOutcome[];
}

/** TRAEFIK_API_URL and TRAEFIK_THROTTLE_MS: what a drain waits on for Traefik (drain.ts). */
export interface RolloutOptions extends Partial<TraefikWait> {
  readonly root: string;
  readonly dockerHost?: string | undefined;
  /** DOCKER_CONFIG, for swarm deploys with registry credentials. */
  readonly dockerConfig?: string | undefined;
  readonly log: Logger;
  /** The run's abort signal: a rollout's waits end on it. */
  readonly signal?: AbortSignal | undefined;
}

/** Acts on the diff's plan; fails with the first service's error after trying every project. */
export const rollout: Step<'rollout', RolloutResult> = {
  name: 'rollout',
  needs: [diff],
  async run(ctx) {
    // Nothing to change: return before the first use of the client loads dockerode (issue 17 item 4).
    if (ctx.resultOf(diff).plan.every((p) => p.action === 'unchanged')) return { services: [] };
    // The clients, not the client: a compose rollout starts before dockerode is loaded.
    const result = await applyPlan(ctx.clients, ctx.resultOf(diff), {
      root: ctx.env.root,
      dockerHost: ctx.env.dockerHost,
      dockerConfig: ctx.env.dockerConfig,
      log: ctx.log,
      signal: ctx.signal,
      traefikApiUrl: ctx.env.traefikApiUrl,
      traefikThrottleMs: ctx.env.traefikThrottleMs,
    });
    const failed = result.services.filter((s) => !s.ok);
    if (failed.length > 0) throw failed[0]!.error!;
    return result;
  },
};

/**
 * Applies a plan project by project; every service outcome is logged as it
 * happens. Given the lazy clients, dockerode is loaded only once the first
 * compose CLI runs (runtime/events.ts reads events over plain HTTP).
 */
export async function applyPlan(docker: DockerClient | Clients, result: DiffResult, options: RolloutOptions): Promise<RolloutResult> {
  const all = result.plan.filter((p) => p.action !== 'unchanged');
  if (all.length === 0) return { services: [] };
  const clients: Clients = 'modem' in docker ? { docker } : docker;
  const engine: RolloutEngine = { docker: () => clients.docker, events: eventSourceOf(clients) };
  // runtime: swarm stacks go to steps/rollout/swarm.ts; the rest is compose.
  const swarmEntries = all.filter(isSwarmEntry);
  const swarmed = swarmEntries.length === 0 ? [] : await applySwarm(clients.docker, result, swarmEntries, options);
  const changes = all.filter((p) => !isSwarmEntry(p));
  if (changes.length === 0) return { services: swarmed };
  if (changes.some((p) => p.action !== 'remove') && !(await proxyNetworkExists(engine))) await ensureNetwork(clients.docker);
  const outcomes: ServiceOutcome[] = [];
  for (const project of [...new Set(changes.map((p) => p.project))]) {
    if (options.signal?.aborted) throw options.signal.reason;
    const entries = changes.filter((p) => p.project === project);
    outcomes.push(...(await applyProject(engine, result, project, entries, options)));
  }
  return { services: [...swarmed, ...outcomes] };
}

/** Whether proxynet is there, read over plain HTTP where the engine allows; ensureNetwork (dockerode) creates it otherwise. */
async function proxyNetworkExists(engine: RolloutEngine): Promise<boolean> {
  if (isDocker(engine.events)) return false;
  const filters = encodeURIComponent(JSON.stringify({ name: [PROXY_NETWORK] }));
  const networks = await engineGet<{ Name?: string }[]>(engine.events, `/networks?filters=${filters}`, (docker) => docker.listNetworks());
  return networks.some((n) => n.Name === PROXY_NETWORK);
}

async function applyProject(engine: RolloutEngine, result: DiffResult, project: string, entries: readonly PlannedService[], options: RolloutOptions): Promise<ServiceOutcome[]> {
  const desired = result.desired.find((p) => p.name.toLowerCase() === project.toLowerCase());
  const host = options.dockerHost !== undefined ? { dockerHost: options.dockerHost } : {};
  const target: ComposeTarget = desired ? { project: desired.name, file: desired.composeFile, ...host } : { project, ...host };
  const firstDeploy = desired !== undefined && entries.length === desired.services.length && entries.every((e) => e.action === 'create');
  const outcomes = desired === undefined
    ? [await timed(entries, () => composeDown(target), options.log)]
    : firstDeploy
      ? [await timed(entries, () => composeUp(target, { scale: Object.fromEntries(desired.services.map((s) => [s.service, s.replicas])) }), options.log)]
      : await sequential(entries, (entry) => timed([entry], () => applyService(engine, target, entry, options), options.log));
  const flat = outcomes.flat();
  if (desired !== undefined && flat.every((o) => o.ok)) {
    const snapshot = appliedFile(options.root, desired.name);
    await mkdir(dirname(snapshot), { recursive: true });
    await copyFile(desired.composeFile, snapshot);
  }
  return flat;
}

async function sequential<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

/** Runs one action for the given services; one outcome (and one progress line) per service. */
async function timed(entries: readonly PlannedService[], action: () => Promise<void>, log: Logger): Promise<ServiceOutcome[]> {
  const started = performance.now();
  for (const e of entries) log.info({ project: e.project, service: e.service, action: e.action, reason: e.reason }, 'service started');
  let error: RailyardError | undefined;
  try {
    await action();
  } catch (caught) {
    error = RailyardError.from(caught, { step: 'rollout' });
  }
  const ms = Math.round(performance.now() - started);
  return entries.map((e) => {
    if (error) log.error({ project: e.project, service: e.service, action: e.action, ms, code: error.code, err: error, data: error.data }, 'service failed');
    else log.info({ project: e.project, service: e.service, action: e.action, ms }, 'service done');
    return { project: e.project, service: e.service, action: e.action, ok: error === undefined, ms, ...(error ? { error } : {}) };
  });
}
