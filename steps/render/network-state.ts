import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DbConfig } from '../../config/db-types.ts';
import type { NetworkPool } from '../../config/env.ts';
import type { EngineSource } from '../../runtime/engine-read.ts';
import { engineNetworks } from '../../runtime/network.ts';
import { subnetAllocator, type EngineNetwork, type SubnetAllocator } from './subnets.ts';

/** Where the subnets handed out by the last render are kept, so they stay put. */
export function subnetsFile(root: string): string {
  return join(root, 'data', 'network-pool.json');
}

export interface ProjectSubnets {
  readonly allocator: SubnetAllocator;
  /** What the file held before this render. */
  readonly previous: Readonly<Record<string, string>>;
  /** False when the engine could not be asked: only the file and the pool decided. */
  readonly engineChecked: boolean;
}

/**
 * The subnet allocator of a render: the kept file, and the engine's networks
 * (one listing) so no subnet overlaps a network already there.
 */
export async function projectSubnets(root: string, config: DbConfig, pool: NetworkPool, docker?: EngineSource): Promise<ProjectSubnets> {
  const previous = await readSubnets(root);
  let engine: EngineNetwork[] = [];
  let engineChecked = false;
  if (docker !== undefined) {
    // Without an engine (a render on a laptop) the file alone decides; apply checks again with it.
    engine = await engineNetworks(docker).catch(() => []);
    engineChecked = engine.length > 0;
  }
  const projects = config.projects.filter((p) => p.enabled).map((p) => p.name);
  return { allocator: subnetAllocator({ projects, pool, previous, engine }), previous, engineChecked };
}

/** Keeps what this render handed out; written only when it changed. */
export async function saveSubnets(root: string, subnets: ProjectSubnets): Promise<void> {
  const assigned = subnets.allocator.assigned();
  if (JSON.stringify(assigned) === JSON.stringify(subnets.previous)) return;
  const file = subnetsFile(root);
  await mkdir(join(root, 'data'), { recursive: true });
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`; // unique: another writer's temp is never renamed away
  await writeFile(temp, `${JSON.stringify(assigned, null, 1)}\n`);
  await rename(temp, file);
}

async function readSubnets(root: string): Promise<Record<string, string>> {
  const text = await readFile(subnetsFile(root), 'utf8').catch(() => undefined);
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {}; // a damaged file: subnets are chosen again, existing networks are adopted from the engine
  }
}
