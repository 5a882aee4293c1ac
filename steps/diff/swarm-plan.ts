import { RailyardError } from '../../core/errors.ts';
import type { SwarmServiceState } from '../../runtime/swarm.ts';
import type { ServiceTasks } from '../../runtime/swarm-tasks.ts';
import type { DesiredProject, DesiredService, PlannedService, PlanScope } from './plan.ts';

/** A service's tasks, desired against running, per node (runtime/swarm-tasks.ts). */
export type TaskCount = ServiceTasks;

export interface SwarmPlannedService extends PlannedService {
  readonly runtime: 'swarm';
  /** The stack (lowercased project name). */
  readonly stack: string;
  /** The service as listed before the apply; absent for `create`. */
  readonly current?: SwarmServiceState;
  readonly tasks?: TaskCount;
}

export function isSwarmEntry(entry: PlannedService): entry is SwarmPlannedService {
  return (entry as Partial<SwarmPlannedService>).runtime === 'swarm';
}

/**
 * Per swarm service: create | update | remove | unchanged, from ONE service
 * listing (spec labels and UpdateStatus) and ONE task listing. Pure.
 */
export function buildSwarmPlan(
  desired: readonly DesiredProject[],
  services: readonly SwarmServiceState[],
  tasks: ReadonlyMap<string, TaskCount>,
  scope: PlanScope = {},
): SwarmPlannedService[] {
  const inScope = (project: string, service?: string): boolean =>
    (scope.project === undefined || scope.project.toLowerCase() === project.toLowerCase()) &&
    (scope.service === undefined || service === undefined || scope.service === service);
  const byName = new Map(services.map((s) => [`${s.stack}/${s.service}`, s]));
  const planned: SwarmPlannedService[] = [];
  const wanted = new Set<string>();
  for (const project of desired) {
    const stack = project.name.toLowerCase();
    for (const service of project.services) {
      wanted.add(`${stack}/${service.service}`);
      if (!inScope(project.name, service.service)) continue;
      const current = byName.get(`${stack}/${service.service}`);
      planned.push({ ...decide(service, current, current ? tasks.get(current.id) : undefined), composeFile: project.composeFile, stack });
    }
  }
  const live = new Set(desired.map((p) => p.name.toLowerCase()));
  for (const current of services) {
    if (wanted.has(`${current.stack}/${current.service}`) || !inScope(current.project, current.service)) continue;
    const reason = live.has(current.stack) ? 'service left db.yml' : 'project disabled or removed';
    planned.push({ project: current.project, service: current.service, action: 'remove', reason, containers: [], warnings: [], runtime: 'swarm', stack: current.stack, current });
  }
  return planned;
}

function decide(desired: DesiredService, current: SwarmServiceState | undefined, tasks: TaskCount | undefined): Omit<SwarmPlannedService, 'composeFile' | 'stack'> {
  const base = { project: desired.project, service: desired.service, containers: [], desired, runtime: 'swarm' as const, warnings: [] };
  if (current === undefined) return { ...base, action: 'create', reason: 'no swarm service yet' };
  const changes: string[] = [];
  if (current.configHash !== desired.configHash) changes.push('config changed');
  const last = current.update?.state;
  // After a rollback the spec is the previous one: worth saying only when db.yml still asks for the failed one.
  if (changes.length > 0 && (last === 'rollback_completed' || last === 'paused' || last === 'rollback_paused')) changes.push(`last update ${last.replace('_', ' ')}`);
  const running = tasks?.running ?? 0;
  if (running < current.replicas) {
    const where = tasks !== undefined && tasks.notRunningOn.length > 0 ? ` (not running on ${tasks.notRunningOn.join(', ')})` : '';
    changes.push(`${running} of ${current.replicas} tasks running${where}`);
  }
  // A node down that took tasks of this service is drift with the node named, even once Swarm has rescheduled them elsewhere (steps/drift.ts).
  const down = tasks?.lostOn ?? [];
  const warnings = down.length > 0 ? [`swarm node${down.length > 1 ? 's' : ''} down: ${down.join(', ')}`] : [];
  const withTasks = { ...base, current, warnings, ...(tasks !== undefined ? { tasks } : {}) };
  if (changes.length === 0) return { ...withTasks, action: 'unchanged', reason: `config hash matches; ${running}/${current.replicas} running` };
  return { ...withTasks, action: 'update', reason: changes.join(', ') };
}

/**
 * Splits the listed services into this stack root's own (and those deployed
 * before the `railyard.stack` label) and other roots'. A project this root
 * renders whose stack another root deployed is refused, as compose containers
 * of another root are (steps/diff/index.ts): the deploy would take it over.
 * Other roots' services are never planned, so never removed.
 */
export function ownServices(services: readonly SwarmServiceState[], stackId: string, desired: readonly DesiredProject[], scope: PlanScope = {}): SwarmServiceState[] {
  const ours: SwarmServiceState[] = [];
  const foreign = new Map<string, SwarmServiceState>();
  for (const s of services) {
    if (s.root === undefined || s.root === stackId) ours.push(s);
    else if (!foreign.has(s.stack)) foreign.set(s.stack, s);
  }
  for (const project of desired) {
    const stack = project.name.toLowerCase();
    const taken = foreign.get(stack);
    if (taken === undefined || (scope.project !== undefined && scope.project.toLowerCase() !== stack)) continue;
    throw new RailyardError(
      'STACK_CONFLICT',
      `Project ${project.name} is deployed on this swarm by another stack root (${taken.root}): rename the project in one of them, or deploy it from one root only`,
      { project: project.name, data: { stack, root: taken.root } },
    );
  }
  return ours;
}
