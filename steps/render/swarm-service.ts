import type { Healthcheck, Project, Service } from '../../config/db-types.ts';
import { LABEL_STACK } from '../../runtime/containers.ts';
import { parseDuration } from '../../runtime/duration.ts';
import { CONFIG_HASH_LABEL, configHash, sha256 } from './config-hash.ts';
import type { ComposeServiceOutput, MountDigest } from './compose-service.ts';
import { configMounts } from './mounts.ts';
import { PROXY_NETWORK } from './routes.ts';

/** Labels railyard puts on every swarm service spec, so a listing finds its own. */
export const SWARM_PROJECT_LABEL = 'railyard.project';
export const SWARM_SERVICE_LABEL = 'railyard.service';

/** Compose keys `docker stack deploy` ignores (with a warning) or refuses: their swarm form is in `deploy`. */
const NOT_FOR_SWARM = ['restart', 'depends_on', 'expose', 'container_name', 'labels', 'deploy'];

/**
 * A rendered compose service turned into a stack service: replicas, rolling
 * update (start-first for stateless, stop-first for stateful), rollback,
 * restart policy, and the labels on the service spec (where Traefik's swarm
 * provider and the plan read them). The config hash covers the stack form;
 * the stack root's `railyard.stack` label is left out of it.
 */
export function swarmService(project: Project, service: Service, compose: ComposeServiceOutput, digest: MountDigest, stackRoot?: string): ComposeServiceOutput {
  const { definition } = compose;
  const rest = Object.fromEntries(Object.entries(definition).filter(([key]) => !NOT_FOR_SWARM.includes(key)));
  const userDeploy = (definition['deploy'] ?? {}) as Record<string, unknown>;
  const labels = (definition['labels'] as string[]).filter((l) => !l.startsWith(`${CONFIG_HASH_LABEL}=`))
    .map((l) => (l === `traefik.docker.network=${PROXY_NETWORK}` ? `traefik.swarm.network=${PROXY_NETWORK}` : l));
  const monitor = `${Math.ceil(monitorMs(service.healthcheck) / 1000)}s`;
  const order = service.stateless ? 'start-first' : 'stop-first';
  const constraint = placement(service);
  const deploy: Record<string, unknown> = {
    ...userDeploy,
    replicas: service.replicas,
    update_config: { parallelism: 1, order, failure_action: 'rollback', monitor },
    rollback_config: { parallelism: 1, order, monitor },
    restart_policy: { condition: restartCondition(service.restart), ...maxAttempts(service.restart) },
    ...(constraint !== undefined ? { placement: { constraints: [constraint] } } : {}),
    labels: [...labels, `${SWARM_PROJECT_LABEL}=${project.name}`, `${SWARM_SERVICE_LABEL}=${service.host}`],
  };
  const stack: Record<string, unknown> = { ...rest, deploy };
  const mounts = Object.fromEntries(configMounts(service).map((m) => [m.path, bindDigest(digest(project.name, m.path), m.readOnly)]));
  const hash = configHash({ service: stack, mounts });
  // The stack root is outside the hash, as for compose: the same db.yml from another path is the same service.
  deploy.labels = [...(deploy.labels as string[]), `${CONFIG_HASH_LABEL}=${hash}`, ...(stackRoot === undefined ? [] : [`${LABEL_STACK}=${stackRoot}`])];
  // On the containers too: a changed mounted file changes only the hash, and
  // Swarm rolls tasks only when the task template changes.
  stack['labels'] = [`${CONFIG_HASH_LABEL}=${hash}`];
  return { ...compose, definition: stack, configHash: hash };
}

/**
 * How long Swarm watches a new task before it calls the update good: the time
 * its healthcheck needs to fail (start_period + (interval + timeout) × retries),
 * at least 5 s. Docker's own defaults fill unset fields, as for compose.
 */
export function monitorMs(check: Healthcheck | undefined): number {
  if (check === undefined || check.disable === true) return 5000;
  const ms = (value: string | undefined, fallback: number): number => (value !== undefined ? parseDuration(value) : fallback);
  const derived = ms(check.start_period, 0) + (ms(check.interval, 30_000) + ms(check.timeout, 30_000)) * (check.retries ?? 3);
  return Math.max(5000, derived);
}

const EMPTY_DIR = `dir:${sha256('')}`;

/**
 * A missing bind source is created empty by the deploy (steps/rollout/swarm.ts),
 * so absent and an empty folder hash the same; a writable folder is the
 * container's own data, whatever it holds (as for compose).
 */
function bindDigest(digest: string, readOnly: boolean): string {
  if (digest === EMPTY_DIR || digest === 'dir:') return 'absent';
  return !readOnly && digest.startsWith('dir:') ? 'absent' : digest;
}

/** A stateful service with bind mounts keeps its data on one node's disk: pin it there. */
function placement(service: Service): string | undefined {
  const binds = service.volumes.length > 0;
  const wanted = service.placement ?? (!service.stateless && binds ? 'manager' : undefined);
  if (wanted === undefined) return undefined;
  return wanted === 'manager' ? 'node.role == manager' : wanted;
}

function restartCondition(restart: string): 'none' | 'on-failure' | 'any' {
  if (restart === 'no') return 'none';
  return restart.startsWith('on-failure') ? 'on-failure' : 'any';
}

function maxAttempts(restart: string): { max_attempts?: number } {
  const match = /^on-failure:(\d+)$/.exec(restart);
  return match ? { max_attempts: Number(match[1]) } : {};
}
