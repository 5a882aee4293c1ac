import type Docker from 'dockerode';
import { listSwarmServices, swarmError, type SwarmServiceState } from './swarm.ts';

/** One node's share of a service's tasks. */
export interface NodeTasks {
  /** The node's hostname (what `docker node ls` shows). */
  readonly node: string;
  /** Swarm's node state is `ready`. */
  readonly up: boolean;
  /** Tasks Swarm wants running there. */
  readonly desired: number;
  /** Of those, running, on a node that is up. */
  readonly running: number;
  /** Tasks last seen running (or starting) there while the node is down: Swarm rescheduled them, or cannot. */
  readonly lost: number;
}

export interface ServiceTasks {
  /** Tasks Swarm wants running, over every node. */
  readonly desired: number;
  readonly running: number;
  /** Running tasks per node hostname (nodes with none left out). */
  readonly perNode: Readonly<Record<string, number>>;
  /** Node names of tasks meant to run that are not running (a node down, a crash loop, unassigned). */
  readonly notRunningOn: readonly string[];
  /** Every node the service has tasks on, wanted or lost, by hostname. */
  readonly nodes: readonly NodeTasks[];
  /** Down nodes this service has (or, before Swarm rescheduled them, had) tasks on. */
  readonly lostOn: readonly string[];
  /** Every swarm node that is down, whatever runs there. */
  readonly downNodes: readonly string[];
}

/** The fields of an Engine API task this module reads. */
export interface EngineTask {
  readonly ServiceID?: string;
  readonly NodeID?: string;
  readonly DesiredState?: string;
  readonly Status?: { readonly State?: string };
}

/** The fields of an Engine API node this module reads. */
export interface EngineNode {
  readonly ID: string;
  readonly Description?: { readonly Hostname?: string };
  readonly Status?: { readonly State?: string };
}

/** Task states a task leaves for good; any other state on a down node is a task lost with it. */
const TERMINAL = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);

/**
 * Tasks per service, with node hostnames: ONE task listing (every desired
 * state: a task Swarm rescheduled away from a down node is no longer desired
 * there, and it is what tells which services the node took down) and ONE node
 * listing for the whole swarm.
 */
export async function tasksByService(docker: Docker): Promise<Map<string, ServiceTasks>> {
  let tasks: EngineTask[];
  let nodes: EngineNode[];
  try {
    [tasks, nodes] = await Promise.all([docker.listTasks() as Promise<EngineTask[]>, docker.listNodes() as Promise<EngineNode[]>]);
  } catch (error) {
    throw swarmError(docker, error);
  }
  return countTasks(tasks, nodes);
}

/** Every railyard swarm service with its tasks: one service, one task and one node listing. */
export async function swarmServiceTasks(docker: Docker): Promise<Array<{ readonly service: SwarmServiceState; readonly tasks: ServiceTasks | undefined }>> {
  const [services, tasks] = await Promise.all([listSwarmServices(docker), tasksByService(docker)]);
  return services.map((service) => ({ service, tasks: tasks.get(service.id) }));
}

interface Tally { desired: number; running: number; lost: number }

/** Each node's name as railyard shows it: its hostname, else the short id. */
export function nodeNames(nodes: readonly EngineNode[]): Map<string, string> {
  return new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID.slice(0, 12)]));
}

/**
 * Pure: the task listing and the node listing as counts per service id. A task
 * on a down node still reads `running` until the node comes back (the node
 * cannot report), so only the node's state tells it is not.
 */
export function countTasks(tasks: readonly EngineTask[], nodes: readonly EngineNode[]): Map<string, ServiceTasks> {
  const nameOf = nodeNames(nodes);
  const upOf = new Map(nodes.map((n) => [n.ID, n.Status?.State === 'ready']));
  const byService = new Map<string, { perNode: Map<string, Tally>; notRunningOn: Set<string> }>();
  for (const task of tasks) {
    const id = task.ServiceID ?? '';
    const entry = byService.get(id) ?? { perNode: new Map<string, Tally>(), notRunningOn: new Set<string>() };
    byService.set(id, entry);
    const node = task.NodeID === undefined || task.NodeID === '' ? 'unassigned' : nameOf.get(task.NodeID) ?? task.NodeID.slice(0, 12);
    const up = task.NodeID !== undefined && upOf.get(task.NodeID) === true;
    const down = task.NodeID !== undefined && upOf.get(task.NodeID) === false;
    const state = task.Status?.State ?? '';
    const wanted = task.DesiredState === 'running';
    const lost = down && state !== '' && !TERMINAL.has(state);
    if (!wanted && !lost) continue;
    const tally = entry.perNode.get(node) ?? { desired: 0, running: 0, lost: 0 };
    entry.perNode.set(node, tally);
    if (lost) tally.lost += 1;
    if (!wanted) continue;
    tally.desired += 1;
    if (state === 'running' && up) tally.running += 1;
    else entry.notRunningOn.add(down ? `${node} (node down)` : node === 'unassigned' ? 'unassigned (pending: no node takes it)' : node);
  }
  const downNodes = nodes.filter((n) => n.Status?.State !== 'ready').map((n) => nameOf.get(n.ID)!);
  const downSet = new Set(downNodes);
  const out = new Map<string, ServiceTasks>();
  for (const [id, entry] of byService) {
    const list: NodeTasks[] = [...entry.perNode]
      .map(([node, t]) => ({ node, up: !downSet.has(node) && node !== 'unassigned', ...t }))
      .sort((a, b) => a.node.localeCompare(b.node));
    out.set(id, {
      desired: list.reduce((sum, n) => sum + n.desired, 0),
      running: list.reduce((sum, n) => sum + n.running, 0),
      perNode: Object.fromEntries(list.filter((n) => n.running > 0).map((n) => [n.node, n.running])),
      notRunningOn: [...entry.notRunningOn],
      nodes: list,
      lostOn: list.filter((n) => n.lost > 0 || (n.desired > 0 && downSet.has(n.node))).map((n) => n.node),
      downNodes,
    });
  }
  return out;
}

/** "mgr 2/2, wrk 0/2 (down, 2 lost)": desired against running, per node. Pure. */
export function formatNodeTasks(nodes: readonly NodeTasks[]): string {
  if (nodes.length === 0) return 'no tasks';
  return nodes.map((n) => {
    const notes = [...(n.up ? [] : [n.node === 'unassigned' ? 'no node' : 'down']), ...(n.lost > 0 ? [`${n.lost} lost`] : [])];
    return `${n.node} ${n.running}/${n.desired}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
  }).join(', ');
}
