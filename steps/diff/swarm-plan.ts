import type { SwarmServiceState } from '../../runtime/swarm.ts';
import type { DesiredProject, DesiredService, PlannedService, PlanScope } from './plan.ts';

/** Running tasks of a service on one node, against what it should have. */
export interface TaskCount {
  readonly running: number;
  /** Node names of tasks meant to run that are not running (a node down, a crash loop). */
  readonly notRunningOn: readonly string[];
  /** Running tasks per node name. */
  readonly perNode: Readonly<Record<string, number>>;
  /** Swarm nodes that are down. */
  readonly downNodes: readonly string[];
}

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
  // A node down is drift with the node named, even once Swarm has rescheduled its tasks elsewhere.
  const down = tasks?.downNodes ?? [];
  const warnings = down.length > 0 ? [`swarm node${down.length > 1 ? 's' : ''} down: ${down.join(', ')}`] : [];
  const withTasks = { ...base, current, warnings, ...(tasks !== undefined ? { tasks } : {}) };
  if (changes.length === 0) return { ...withTasks, action: 'unchanged', reason: `config hash matches; ${running}/${current.replicas} running` };
  return { ...withTasks, action: 'update', reason: changes.join(', ') };
}
