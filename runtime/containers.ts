import type Docker from 'dockerode';
import { unreachable } from './docker.ts';

export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_NUMBER = 'com.docker.compose.container-number';
export const LABEL_CONFIG_HASH = 'railyard.config-hash';

/** One container of a compose service, as the list call reports it. */
export interface ServiceContainer {
  readonly id: string;
  readonly name: string;
  readonly project: string;
  readonly service: string;
  /** `railyard.config-hash`, or undefined for containers railyard did not render. */
  readonly configHash: string | undefined;
  /** The image ID the container runs (sha256:...). */
  readonly imageId: string;
  /** created | running | restarting | exited | paused | dead | removing */
  readonly state: string;
  /** healthy | unhealthy | starting | none (from the list call's status text). */
  readonly health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  readonly number: number;
  /** Seconds since the epoch. */
  readonly created: number;
}

export interface ContainerFilter {
  /** Compose project (case-insensitive: compose lowercases it). */
  readonly project?: string;
  readonly service?: string;
  /** Only containers that carry a `railyard.config-hash` label. */
  readonly railyard?: boolean;
}

/** Lists compose containers (all states) with ONE Docker API call. */
export async function listContainers(docker: Docker, filter: ContainerFilter = {}): Promise<ServiceContainer[]> {
  const label = [filter.project === undefined ? LABEL_PROJECT : `${LABEL_PROJECT}=${filter.project.toLowerCase()}`];
  if (filter.service !== undefined) label.push(`${LABEL_SERVICE}=${filter.service}`);
  if (filter.railyard) label.push(LABEL_CONFIG_HASH);
  let list: Docker.ContainerInfo[];
  try {
    list = await docker.listContainers({ all: true, filters: { label } });
  } catch (error) {
    throw unreachable(docker, error);
  }
  return list.map(toServiceContainer);
}

function toServiceContainer(info: Docker.ContainerInfo): ServiceContainer {
  const labels = info.Labels ?? {};
  return {
    id: info.Id,
    name: (info.Names[0] ?? info.Id).replace(/^\//, ''),
    project: labels[LABEL_PROJECT] ?? '',
    service: labels[LABEL_SERVICE] ?? '',
    configHash: labels[LABEL_CONFIG_HASH],
    imageId: info.ImageID,
    state: info.State,
    health: healthOf(info.Status),
    number: Number(labels[LABEL_NUMBER] ?? 0),
    created: info.Created,
  };
}

function healthOf(status: string): ServiceContainer['health'] {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('(health: starting)')) return 'starting';
  return 'none';
}

/** Groups containers by `project/service` (project lowercased). */
export function groupByService(containers: readonly ServiceContainer[]): Map<string, ServiceContainer[]> {
  const groups = new Map<string, ServiceContainer[]>();
  for (const c of containers) {
    const key = serviceKey(c.project, c.service);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return groups;
}

export function serviceKey(project: string, service: string): string {
  return `${project.toLowerCase()}/${service}`;
}
