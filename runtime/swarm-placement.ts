import { LABEL_STACK } from './containers.ts';
import { engineGet, listQuery, type EngineSource } from './engine-read.ts';
import { nodeNames, type EngineNode, type EngineTask } from './swarm-tasks.ts';

/** A stateful swarm service whose bind-mounted data is on a node other than this engine's. */
export interface DataElsewhere {
  /** db.yml project (the service's `railyard.project` label). */
  readonly project: string;
  /** Swarm service name, `<stack>_<service>`. */
  readonly service: string;
  /** Hostnames of the other nodes its tasks run on. */
  readonly nodes: readonly string[];
  /** The writable bind sources (paths on those nodes' disks). */
  readonly sources: readonly string[];
}

/** The fields of an Engine API service this module reads. */
export interface EngineService {
  readonly ID: string;
  readonly Spec: {
    readonly Name: string;
    readonly Labels?: Readonly<Record<string, string>>;
    readonly UpdateConfig?: { readonly Order?: string };
    readonly TaskTemplate?: { readonly ContainerSpec?: { readonly Mounts?: readonly { readonly Type?: string; readonly Source?: string; readonly ReadOnly?: boolean }[] } };
  };
}

interface EngineInfo { readonly Swarm?: { readonly LocalNodeState?: string; readonly ControlAvailable?: boolean; readonly NodeID?: string } }

/**
 * Stateful services of this stack root whose data a backup of this host
 * misses: undefined when the engine is not a swarm manager (compose: every
 * bind mount is on this disk). Reads /info (the engine's own node id), then
 * the railyard services, their tasks and the nodes: one listing each, over
 * plain HTTP where the source allows (a backup loads no dockerode).
 */
export async function dataOnOtherNodes(source: EngineSource, stackId: string): Promise<{ readonly self: string; readonly services: DataElsewhere[] } | undefined> {
  const info = await engineGet<EngineInfo>(source, '/info', (d) => d.info() as Promise<EngineInfo>);
  if (info.Swarm?.LocalNodeState !== 'active' || info.Swarm.ControlAvailable !== true || info.Swarm.NodeID === undefined) return undefined;
  const filters = { label: ['railyard.project'] };
  const [services, tasks, nodes] = await Promise.all([
    engineGet<EngineService[]>(source, `/services${listQuery({ filters })}`, (d) => d.listServices({ filters }) as unknown as Promise<EngineService[]>),
    engineGet<EngineTask[]>(source, `/tasks${listQuery({ filters: { 'desired-state': ['running'] } })}`, (d) => d.listTasks({ filters: { 'desired-state': ['running'] } }) as Promise<EngineTask[]>),
    engineGet<EngineNode[]>(source, '/nodes', (d) => d.listNodes() as Promise<EngineNode[]>),
  ]);
  const self = info.Swarm.NodeID;
  return { self: nodeNames(nodes).get(self) ?? self.slice(0, 12), services: statefulElsewhere(services, tasks, nodes, self, stackId) };
}

/**
 * Pure. Stateful is what render gives `stateless: false`: `order: stop-first`
 * (steps/render/swarm-service.ts); its data is each writable bind mount. A
 * service of another stack root is that root's backup's business.
 */
export function statefulElsewhere(services: readonly EngineService[], tasks: readonly EngineTask[], nodes: readonly EngineNode[], self: string, stackId: string): DataElsewhere[] {
  const nameOf = nodeNames(nodes);
  const out: DataElsewhere[] = [];
  for (const service of services) {
    const labels = service.Spec.Labels ?? {};
    if (labels[LABEL_STACK] !== undefined && labels[LABEL_STACK] !== stackId) continue;
    if (service.Spec.UpdateConfig?.Order !== 'stop-first') continue;
    const sources = (service.Spec.TaskTemplate?.ContainerSpec?.Mounts ?? [])
      .filter((m) => m.Type === 'bind' && m.ReadOnly !== true && m.Source !== undefined)
      .map((m) => m.Source!);
    if (sources.length === 0) continue;
    const elsewhere = new Set(tasks
      .filter((t) => t.ServiceID === service.ID && t.DesiredState === 'running' && t.NodeID !== undefined && t.NodeID !== '' && t.NodeID !== self)
      .map((t) => nameOf.get(t.NodeID!) ?? t.NodeID!.slice(0, 12)));
    if (elsewhere.size === 0) continue;
    out.push({ project: labels['railyard.project'] ?? service.Spec.Name, service: service.Spec.Name, nodes: [...elsewhere].sort(), sources });
  }
  return out.sort((a, b) => a.service.localeCompare(b.service));
}
