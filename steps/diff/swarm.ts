import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { stackIdOf } from '../../runtime/containers.ts';
import type { DockerClient } from '../../runtime/docker.ts';
import { listSwarmServices } from '../../runtime/swarm.ts';
import { tasksByService } from '../../runtime/swarm-tasks.ts';
import { toYaml } from '../render/yaml-out.ts';
import type { DesiredProject, PlanScope } from './plan.ts';
import { buildSwarmPlan, ownServices, type SwarmPlannedService } from './swarm-plan.ts';
import { unifiedDiff } from './unified-diff.ts';

/** Where the last successfully deployed stack file of a project is kept (the "old" side of diffs). */
export function appliedStackFile(root: string, project: string): string {
  return join(root, 'data', 'applied', project, 'docker-stack.yml');
}

/**
 * The swarm half of the plan: ONE service listing (with UpdateStatus), ONE
 * task and ONE node listing, no writes. Services another stack root deployed
 * are left out (and a project of this root among them is STACK_CONFLICT).
 */
export async function computeSwarmDiff(docker: DockerClient, desired: readonly DesiredProject[], scope: PlanScope, root: string): Promise<{ plan: SwarmPlannedService[]; diffs: Record<string, string> }> {
  const [services, tasks] = await Promise.all([listSwarmServices(docker), tasksByService(docker)]);
  const plan = buildSwarmPlan(desired, ownServices(services, stackIdOf(root), desired, scope), tasks, scope);
  const diffs: Record<string, string> = {};
  for (const entry of plan) {
    if (entry.action === 'unchanged' || entry.action === 'remove' || entry.desired === undefined) continue;
    const old = await previousBlock(appliedStackFile(root, entry.project), entry.service);
    const text = unifiedDiff(old, blockYaml(entry.service, entry.desired.definition), `a/${entry.project}/${entry.service}`, `b/${entry.project}/${entry.service}`);
    if (text !== '') diffs[`${entry.project}/${entry.service}`] = text;
  }
  return { plan, diffs };
}

function blockYaml(service: string, definition: unknown): string {
  return toYaml({ [service]: definition }, { header: false });
}

async function previousBlock(file: string, service: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return '';
  const old = (load(text) as { services?: Record<string, unknown> } | null)?.services?.[service];
  return old === undefined ? '' : blockYaml(service, unescape(old));
}

function unescape(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('$$', '$');
  if (Array.isArray(value)) return value.map(unescape);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescape(v)]));
  return value;
}
