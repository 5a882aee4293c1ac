import type Docker from 'dockerode';
import { RailyardError } from '../core/errors.ts';
import { logLines } from './logs.ts';
import { inspectSwarmService, type SwarmServiceState } from './swarm.ts';

const POLL_MS = 500;

export interface FollowOptions {
  /** The service as listed before the deploy (undefined for a new one). */
  readonly before: SwarmServiceState | undefined;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Follows one service after `stack deploy` until Swarm's answer is final.
 * A changed task template is a rolling update: only UpdateStatus `completed`
 * (of an update started after `before`) is success; `rollback_completed`,
 * `paused` and `rollback_paused` fail with ROLLOUT_ROLLED_BACK. Otherwise
 * (new service, same template) success is every replica running.
 * Past the timeout: ROLLOUT_UNHEALTHY. Never a success that is not one.
 */
export async function followService(docker: Docker, name: string, options: FollowOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const now = await inspectSwarmService(docker, name);
    if (now === undefined) throw new RailyardError('ROLLOUT_UNHEALTHY', `${name}: service not found after stack deploy`, { data: { service: name } });
    const verdict = await judge(docker, now, options.before);
    if (verdict === 'done') return;
    if (verdict !== 'moving') throw await failure(docker, now, verdict);
    if (Date.now() >= deadline) throw await failure(docker, now, 'timeout', options.timeoutMs);
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

type Verdict = 'done' | 'moving' | 'rolled_back' | 'paused';

async function judge(docker: Docker, now: SwarmServiceState, before: SwarmServiceState | undefined): Promise<Verdict> {
  const rolling = before !== undefined && now.template !== before.template;
  const fresh = now.update !== undefined && (before?.update?.startedAt === undefined || now.update.startedAt !== before.update.startedAt);
  if (rolling || fresh) {
    if (!fresh) return 'moving'; // the updater has not picked it up yet
    const state = now.update!.state;
    if (state === 'rollback_completed') return 'rolled_back';
    if (state === 'paused' || state === 'rollback_paused') return 'paused';
    if (state !== 'completed') return 'moving';
  }
  const tasks = await serviceTasks(docker, now.id);
  const running = tasks.filter((t) => t.desired === 'running' && t.state === 'running').length;
  return running === now.replicas ? 'done' : 'moving';
}

interface TaskView { readonly id: string; readonly node: string; readonly desired: string; readonly state: string; readonly error?: string; readonly message?: string; readonly at?: string }

/** The service's tasks (all nodes), newest first. */
export async function serviceTasks(docker: Docker, serviceId: string): Promise<TaskView[]> {
  const raw = (await docker.listTasks({ filters: { service: [serviceId] } })) as Array<{
    ID: string; NodeID?: string; DesiredState?: string; UpdatedAt?: string; Status?: { State?: string; Err?: string; Message?: string; Timestamp?: string };
  }>;
  return raw
    .map((t) => ({
      id: t.ID, node: t.NodeID ?? '', desired: t.DesiredState ?? '', state: t.Status?.State ?? '',
      ...(t.Status?.Err ? { error: t.Status.Err } : {}), ...(t.Status?.Message ? { message: t.Status.Message } : {}), ...(t.Status?.Timestamp ? { at: t.Status.Timestamp } : {}),
    }))
    .sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
}

async function failure(docker: Docker, now: SwarmServiceState, verdict: Exclude<Verdict, 'done' | 'moving'> | 'timeout', timeoutMs?: number): Promise<RailyardError> {
  const tasks = await serviceTasks(docker, now.id).catch(() => []);
  const taskErrors = tasks.filter((t) => t.error !== undefined || (t.state !== 'running' && t.state !== 'shutdown')).slice(0, 5)
    .map((t) => `${t.id.slice(0, 12)} ${t.state}${t.error ? `: ${t.error}` : ''}`);
  const logs = await serviceLogs(docker, now.id);
  const data = { service: now.name, updateStatus: now.update, taskErrors, logs };
  const why = now.update?.message ?? '';
  if (verdict === 'timeout') {
    return new RailyardError('ROLLOUT_UNHEALTHY', `${now.name}: not converged within ${Math.round((timeoutMs ?? 0) / 1000)} s (${now.update?.state ?? 'no update status'}); ${taskErrors[0] ?? 'no task error'}`, { data });
  }
  const what = verdict === 'rolled_back' ? 'Swarm rolled the update back' : `Swarm paused the update (${now.update!.state})`;
  return new RailyardError('ROLLOUT_ROLLED_BACK', `${now.name}: ${what}: ${why}; the previous version keeps serving`, { data });
}

/** The service's last log lines over every task (the manager gathers them from the nodes). */
async function serviceLogs(docker: Docker, id: string, lines = 20): Promise<string[]> {
  try {
    const raw = (await docker.getService(id).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    return logLines(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)), lines);
  } catch {
    return [];
  }
}
