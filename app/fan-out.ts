import { createHash } from 'node:crypto';
import { drift, render } from '../steps/index.ts';
import type { RenderedProject } from '../steps/render/index.ts';
import type { FinishedRun } from '../pipeline/types.ts';
import type { TriggerRequest } from '../core/types.ts';

/** The hash a removed (or disabled) project is deployed with: once, to take it down. */
export const ABSENT = 'absent';
/** The Traefik stack's project name in render's output. */
export const PROXY = 'proxy';

/**
 * After a push's sync: one deploy per project whose rendered services (config
 * hashes, which cover mounted file contents, and images) differ from what was
 * last handed to a deploy, per project removed since, and then the proxy.
 * With `trigger.meta.all` (`railyard apply` without a project) also every
 * project the drift step found out of step with the host, or every project
 * when Docker could not be asked.
 */
export function fanOut(run: FinishedRun): TriggerRequest[] {
  const hashes = new Map(run.resultOf(render).projects.map((p) => [p.name, projectHash(p)]));
  for (const name of run.history.deployedProjects()) if (!hashes.has(name)) hashes.set(name, ABSENT);
  const all = run.trigger.meta?.['all'] === true;
  const drifted = all ? run.resultOf(drift).projects : [];
  const changed = [...hashes.keys()].filter(
    (name) => drifted === undefined || drifted.includes(name) || run.history.deployedHash(name) !== hashes.get(name),
  );
  if (changed.length > 0 && !changed.includes(PROXY) && hashes.has(PROXY)) changed.push(PROXY);
  return changed.map((project) => ({
    pipeline: 'deploy',
    project,
    trigger: {
      kind: run.trigger.kind,
      ...(run.commit !== undefined && { commit: run.commit }),
      ...(run.trigger.meta !== undefined && { meta: run.trigger.meta }),
      parentRunId: run.runId,
    },
    configHash: hashes.get(project)!,
  }));
}

/** sha256 over the project's services: name, config hash and image. */
export function projectHash(project: RenderedProject): string {
  const services = project.services.map((s) => `${s.name}\t${s.configHash}\t${s.image}`).sort();
  return createHash('sha256').update(services.join('\n')).digest('hex');
}
