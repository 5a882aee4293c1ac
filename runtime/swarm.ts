import type Docker from 'dockerode';
import { RailyardError } from '../core/errors.ts';
import { LABEL_STACK } from './containers.ts';
import { unreachable } from './docker.ts';

/** Service-spec labels railyard renders (steps/render/swarm-service.ts). */
const PROJECT_LABEL = 'railyard.project';
const HASH_LABEL = 'railyard.config-hash';
const STACK_LABEL = 'com.docker.stack.namespace';

/** Final UpdateStatus states; anything else is still moving. */
export type UpdateState = 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

export interface SwarmServiceState {
  readonly id: string;
  /** Swarm service name: `<stack>_<compose service>`. */
  readonly name: string;
  readonly stack: string;
  /** The stack root (its id, runtime/containers.ts stackIdOf) that deployed it; undefined for services deployed before the label. */
  readonly root: string | undefined;
  /** Compose service name inside the stack. */
  readonly service: string;
  /** db.yml project (label), lowercased stack name as fallback. */
  readonly project: string;
  readonly configHash: string | undefined;
  /** Spec image without a pinned `@sha256:` digest. */
  readonly image: string;
  readonly replicas: number;
  readonly version: number;
  readonly update?: { readonly state: UpdateState; readonly startedAt?: string; readonly message?: string };
  /** The task template as JSON: a change means Swarm rolls the tasks. */
  readonly template: string;
}

/** ONE Engine API call: every railyard-labelled swarm service with its UpdateStatus. */
export async function listSwarmServices(docker: Docker): Promise<SwarmServiceState[]> {
  let services: Docker.Service[];
  try {
    services = (await docker.listServices({ filters: { label: [PROJECT_LABEL] } })) as unknown as Docker.Service[];
  } catch (error) {
    throw swarmError(docker, error);
  }
  return services.map(toState);
}

/** The state of one service by id, or undefined when it is gone. */
export async function inspectSwarmService(docker: Docker, id: string): Promise<SwarmServiceState | undefined> {
  try {
    return toState((await docker.getService(id).inspect()) as Docker.Service);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw swarmError(docker, error);
  }
}

function toState(raw: unknown): SwarmServiceState {
  const s = raw as {
    ID: string;
    Version?: { Index?: number };
    Spec: { Name: string; Labels?: Record<string, string>; Mode?: { Replicated?: { Replicas?: number } }; TaskTemplate?: { ContainerSpec?: { Image?: string } } & Record<string, unknown> };
    UpdateStatus?: { State?: UpdateState; StartedAt?: string; Message?: string };
  };
  const labels = s.Spec.Labels ?? {};
  const stack = labels[STACK_LABEL] ?? '';
  const { ForceUpdate: _force, ...template } = s.Spec.TaskTemplate ?? {};
  return {
    id: s.ID,
    name: s.Spec.Name,
    stack,
    root: labels[LABEL_STACK],
    service: stack !== '' && s.Spec.Name.startsWith(`${stack}_`) ? s.Spec.Name.slice(stack.length + 1) : s.Spec.Name,
    project: (labels[PROJECT_LABEL] ?? stack).toLowerCase(),
    configHash: labels[HASH_LABEL],
    image: (s.Spec.TaskTemplate?.ContainerSpec?.Image ?? '').replace(/@sha256:[0-9a-f]+$/, ''),
    replicas: s.Spec.Mode?.Replicated?.Replicas ?? 1,
    version: s.Version?.Index ?? 0,
    ...(s.UpdateStatus?.State !== undefined
      ? { update: { state: s.UpdateStatus.State, ...(s.UpdateStatus.StartedAt ? { startedAt: s.UpdateStatus.StartedAt } : {}), ...(s.UpdateStatus.Message ? { message: s.UpdateStatus.Message } : {}) } }
      : {}),
    template: JSON.stringify(template),
  };
}

/** Fails with SWARM_UNAVAILABLE when the engine is not a swarm manager. */
export async function requireManager(docker: Docker): Promise<{ nodeId: string; hostname: string }> {
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string }; Name?: string };
  try {
    info = (await docker.info()) as typeof info;
  } catch (error) {
    throw unreachable(docker, error);
  }
  if (info.Swarm?.LocalNodeState !== 'active' || info.Swarm.ControlAvailable !== true) {
    throw new RailyardError('SWARM_UNAVAILABLE', `runtime: swarm needs a swarm manager, and this engine is ${info.Swarm?.LocalNodeState === 'active' ? 'a worker' : 'not in a swarm'}; run docker swarm init (or join as a manager), or set runtime: compose`, {
      data: { state: info.Swarm?.LocalNodeState },
    });
  }
  return { nodeId: info.Swarm.NodeID ?? '', hostname: info.Name ?? '' };
}

/** SWARM_UNAVAILABLE for an engine that is not a manager (503), DOCKER_UNREACHABLE otherwise. */
export function swarmError(docker: Docker, error: unknown): RailyardError {
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 503) {
    return new RailyardError('SWARM_UNAVAILABLE', 'runtime: swarm needs a swarm manager: run docker swarm init, or set runtime: compose', { cause: error });
  }
  return unreachable(docker, error);
}
