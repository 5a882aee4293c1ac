import type Docker from 'dockerode';
import { unreachable } from './docker.ts';

export interface ServiceTasks {
  readonly running: number;
  /** Swarm nodes that are down (named), for every service: a node going down is drift even after Swarm rescheduled. */
  readonly downNodes: readonly string[];
  readonly notRunningOn: readonly string[];
  readonly perNode: Readonly<Record<string, number>>;
}

/**
 * Tasks meant to run, per service, with the node names: ONE task listing and
 * ONE node listing for the whole swarm. A task on a node that is down stays
 * "running" in the listing until Swarm notices, so the node's state counts too.
 */
export async function tasksByService(docker: Docker): Promise<Map<string, ServiceTasks>> {
  let tasks: Array<{ ServiceID?: string; NodeID?: string; Status?: { State?: string } }>;
  let nodes: Array<{ ID: string; Description?: { Hostname?: string }; Status?: { State?: string } }>;
  try {
    [tasks, nodes] = await Promise.all([
      docker.listTasks({ filters: { 'desired-state': ['running'] } }) as Promise<typeof tasks>,
      docker.listNodes() as Promise<typeof nodes>,
    ]);
  } catch (error) {
    throw unreachable(docker, error);
  }
  const nodeName = new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID.slice(0, 12)]));
  const nodeUp = new Map(nodes.map((n) => [n.ID, n.Status?.State === 'ready']));
  const out = new Map<string, { running: number; notRunningOn: Set<string>; perNode: Record<string, number> }>();
  for (const task of tasks) {
    const entry = out.get(task.ServiceID ?? '') ?? { running: 0, notRunningOn: new Set<string>(), perNode: {} };
    out.set(task.ServiceID ?? '', entry);
    const node = task.NodeID ? nodeName.get(task.NodeID) ?? task.NodeID : 'unassigned';
    if (task.Status?.State === 'running' && task.NodeID !== undefined && nodeUp.get(task.NodeID) === true) {
      entry.running += 1;
      entry.perNode[node] = (entry.perNode[node] ?? 0) + 1;
    } else {
      entry.notRunningOn.add(task.NodeID !== undefined && nodeUp.get(task.NodeID) === false ? `${node} (node down)` : node);
    }
  }
  const downNodes = nodes.filter((n) => n.Status?.State !== 'ready').map((n) => nodeName.get(n.ID)!);
  const counts = new Map([...out].map(([id, e]) => [id, { running: e.running, downNodes, notRunningOn: [...e.notRunningOn], perNode: e.perNode }]));
  return counts;
}
