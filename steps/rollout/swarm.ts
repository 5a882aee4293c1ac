import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Rollout } from '../../config/db-types.ts';
import { RailyardError } from '../../core/errors.ts';
import type { DockerClient } from '../../runtime/docker.ts';
import { parseDuration } from '../../runtime/duration.ts';
import { requireManager } from '../../runtime/swarm.ts';
import { ensureOverlay, stackDeploy, stackRm, type StackTarget } from '../../runtime/swarm-stack.ts';
import { followService } from '../../runtime/swarm-wait.ts';
import type { DiffResult } from '../diff/index.ts';
import type { DesiredService } from '../diff/plan.ts';
import { appliedStackFile } from '../diff/swarm.ts';
import type { SwarmPlannedService } from '../diff/swarm-plan.ts';
import { PROXY_NETWORK } from '../render/routes.ts';
import { monitorMs } from '../render/swarm-service.ts';
import type { RolloutOptions, ServiceOutcome } from './index.ts';

/** The rollout's options; a swarm rollout has no Traefik wait of its own (Swarm's start-first update does it). */
export type SwarmRolloutOptions = Omit<RolloutOptions, 'traefikApiUrl' | 'traefikThrottleMs'>;

/**
 * Applies the swarm part of a plan, stack by stack: `stack rm` for a project
 * gone from db.yml, else one `stack deploy` and then every changed service
 * followed until Swarm's UpdateStatus is final. Swarm does the rolling update
 * and the rollback; this reports what it did.
 */
export async function applySwarm(docker: DockerClient, result: DiffResult, entries: readonly SwarmPlannedService[], options: SwarmRolloutOptions): Promise<ServiceOutcome[]> {
  if (entries.length === 0) return [];
  await requireManager(docker);
  if (entries.some((e) => e.action !== 'remove')) await ensureOverlay(docker, PROXY_NETWORK);
  const auth = await hasRegistryAuth(options.dockerConfig);
  const outcomes: ServiceOutcome[] = [];
  for (const stack of [...new Set(entries.map((e) => e.stack))]) {
    const own = entries.filter((e) => e.stack === stack);
    const desired = result.desired.find((p) => p.name.toLowerCase() === stack && p.runtime === 'swarm');
    const target: StackTarget = { stack, ...(desired ? { file: desired.composeFile, env: desired.env ?? {} } : {}), dockerHost: options.dockerHost, withRegistryAuth: auth };
    outcomes.push(...(await applyStack(docker, target, own, desired?.name, options)));
  }
  return outcomes;
}

async function applyStack(docker: DockerClient, target: StackTarget, entries: readonly SwarmPlannedService[], project: string | undefined, options: SwarmRolloutOptions): Promise<ServiceOutcome[]> {
  const started = performance.now();
  for (const e of entries) options.log.info({ project: e.project, service: e.service, action: e.action, reason: e.reason }, 'service started');
  let deployError: RailyardError | undefined;
  try {
    if (project === undefined) await stackRm(target);
    else {
      await createBindSources(target.file!, entries, options.root);
      await stackDeploy(target);
    }
  } catch (error) {
    deployError = RailyardError.from(error, { step: 'rollout' });
  }
  const outcomes: ServiceOutcome[] = [];
  for (const entry of entries) {
    let error = deployError;
    if (error === undefined && entry.action !== 'remove' && entry.desired !== undefined) {
      try {
        await followService(docker, `${target.stack}_${entry.service}`, { before: entry.current, timeoutMs: followTimeout(entry.desired), ...(options.signal ? { signal: options.signal } : {}) });
      } catch (caught) {
        error = RailyardError.from(caught, { step: 'rollout' });
      }
    }
    outcomes.push(outcome(entry, Math.round(performance.now() - started), error, options.log));
  }
  if (project !== undefined && target.file !== undefined && outcomes.every((o) => o.ok)) {
    const snapshot = appliedStackFile(options.root, project);
    await mkdir(dirname(snapshot), { recursive: true });
    await copyFile(target.file, snapshot);
  }
  return outcomes;
}

function outcome(entry: SwarmPlannedService, ms: number, error: RailyardError | undefined, log: Logger): ServiceOutcome {
  const at = { project: entry.project, service: entry.service, action: entry.action, ms };
  if (error) log.error({ ...at, code: error.code, err: error, data: error.data }, 'service failed');
  else log.info(at, 'service done');
  return { ...at, ok: error === undefined, ...(error ? { error } : {}) };
}

/**
 * How long to follow one service: rollout.timeout, or per replica (one at a
 * time) the healthcheck's time to turn healthy plus Swarm's monitor window,
 * twice over (a failed update must also roll back before the answer is final),
 * plus a margin for scheduling and image pulls.
 */
export function followTimeout(desired: DesiredService & { readonly rollout?: Rollout | undefined }): number {
  if (desired.rollout?.timeout !== undefined) return parseDuration(desired.rollout.timeout);
  const check = desired.definition['healthcheck'] as Parameters<typeof monitorMs>[0];
  const perReplica = monitorMs(check) * 2;
  return desired.replicas * perReplica * 2 + 15_000;
}

/** Credentials in DOCKER_CONFIG's config.json: then the nodes get them with the deploy. */
async function hasRegistryAuth(dockerConfig: string | undefined): Promise<boolean> {
  if (dockerConfig === undefined) return false;
  const text = await readFile(join(dockerConfig, 'config.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  try {
    const parsed = JSON.parse(text) as { auths?: Record<string, unknown>; credsStore?: string; credHelpers?: Record<string, unknown> };
    return Object.keys(parsed.auths ?? {}).length > 0 || parsed.credsStore !== undefined || Object.keys(parsed.credHelpers ?? {}).length > 0;
  } catch {
    return false;
  }
}

/**
 * Swarm rejects a task whose bind source is missing, where compose creates it
 * as a folder: create the missing relative sources (as compose would) before
 * the deploy. They are on this host, where pinned stateful services run.
 * Sources inside the stack root count, not only the stack's folder: the proxy
 * stack (proxy/docker-stack.yml) binds ../data/acme and ../logs.
 */
async function createBindSources(stackFile: string, entries: readonly SwarmPlannedService[], root: string): Promise<void> {
  const dir = dirname(stackFile);
  const within = resolve(root);
  for (const entry of entries) {
    const volumes = entry.desired?.definition['volumes'];
    if (!Array.isArray(volumes)) continue;
    for (const volume of volumes) {
      const source = typeof volume === 'string' ? volume.split(':')[0] ?? '' : '';
      if (!source.startsWith('.')) continue;
      const path = resolve(dir, source);
      if (!path.startsWith(`${within}/`)) continue;
      if (await stat(path).then(() => false, () => true)) await mkdir(path, { recursive: true });
    }
  }
}
