import { realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type Docker from 'dockerode';
import { engineGet, listQuery, type EngineSource } from './engine-read.ts';

export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_NUMBER = 'com.docker.compose.container-number';
export const LABEL_CONFIG_HASH = 'railyard.config-hash';
/** The stack root a container was rendered for (see stackIdOf). */
export const LABEL_STACK = 'railyard.stack';
const LABEL_WORKING_DIR = 'com.docker.compose.project.working_dir';

/** One container of a compose service, as the list call reports it. */
export interface ServiceContainer {
  readonly id: string;
  readonly name: string;
  readonly project: string;
  readonly service: string;
  /** `railyard.config-hash`, or undefined for containers railyard did not render. */
  readonly configHash: string | undefined;
  /**
   * The stack root it belongs to: its `railyard.stack` label, else (rendered
   * before that label, or the proxy) the root its compose folder is in
   * (`<root>/upstream/<project>`, `<root>/proxy`). Undefined for other containers.
   */
  readonly stack: string | undefined;
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

/** Lists compose containers (all states) with ONE Docker API call (plain HTTP when `engine` is an endpoint). */
export async function listContainers(engine: EngineSource, filter: ContainerFilter = {}): Promise<ServiceContainer[]> {
  const label = [filter.project === undefined ? LABEL_PROJECT : `${LABEL_PROJECT}=${filter.project.toLowerCase()}`];
  if (filter.service !== undefined) label.push(`${LABEL_SERVICE}=${filter.service}`);
  if (filter.railyard) label.push(LABEL_CONFIG_HASH);
  const options = { all: true, filters: { label } };
  const list = await engineGet<Docker.ContainerInfo[]>(engine, `/containers/json${listQuery(options)}`, (docker) => docker.listContainers(options));
  const realpaths = new Map<string, string>();
  return list.map((info) => toServiceContainer(info, realpaths));
}

/**
 * The identity of a stack root on an engine shared by several: its real path,
 * so two spellings of one folder are one stack.
 */
export function stackIdOf(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return resolve(root);
  }
}

/** Splits containers into the stack's own and other stacks' (never planned or touched). */
export function byStack(containers: readonly ServiceContainer[], stack: string): { ours: ServiceContainer[]; foreign: ServiceContainer[] } {
  const ours: ServiceContainer[] = [];
  const foreign: ServiceContainer[] = [];
  for (const c of containers) (c.stack === undefined || c.stack === stack ? ours : foreign).push(c);
  return { ours, foreign };
}

function stackOf(labels: Readonly<Record<string, string>>, realpaths: Map<string, string>): string | undefined {
  const label = labels[LABEL_STACK];
  if (label !== undefined) return label;
  const dir = labels[LABEL_WORKING_DIR];
  if (dir === undefined || labels[LABEL_CONFIG_HASH] === undefined) return undefined;
  const root = basename(dirname(dir)) === 'upstream' ? dirname(dirname(dir)) : basename(dir) === 'proxy' ? dirname(dir) : undefined;
  if (root === undefined) return undefined;
  if (!realpaths.has(root)) realpaths.set(root, stackIdOf(root));
  return realpaths.get(root);
}

function toServiceContainer(info: Docker.ContainerInfo, realpaths: Map<string, string>): ServiceContainer {
  const labels = info.Labels ?? {};
  return {
    id: info.Id,
    name: (info.Names[0] ?? info.Id).replace(/^\//, ''),
    project: labels[LABEL_PROJECT] ?? '',
    service: labels[LABEL_SERVICE] ?? '',
    configHash: labels[LABEL_CONFIG_HASH],
    stack: stackOf(labels, realpaths),
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
