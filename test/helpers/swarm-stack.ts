// Drives railyard's own render → plan → apply against a test swarm, in-process:
// what a deploy run does, for one project, without the queue.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { requireDb } from '../../config/load-db.ts';
import { createDocker } from '../../runtime/docker.ts';
import { computeDiff, desiredFromRender, type DiffResult } from '../../steps/diff/index.ts';
import { renderToDisk } from '../../steps/render/render-to-disk.ts';
import { applyPlan, type RolloutResult } from '../../steps/rollout/index.ts';

const RENDER_ENV = { trustedIpsCidrs: [], letsencryptEmail: undefined, letsencryptStaging: false, traefikDomain: undefined, traefikAdmin: undefined } as never;

export interface SwarmStackDriver {
  readonly root: string;
  readonly docker: ReturnType<typeof createDocker>;
  /** Writes db.yml, renders it into the root and plans `project`. */
  plan(dbYml: string): Promise<DiffResult>;
  apply(result: DiffResult): Promise<RolloutResult>;
  close(): Promise<void>;
}

/** `project` scopes the plan to one project; without it the plan is the whole root's, as `railyard deploy` of every project. */
export async function swarmStackDriver(dockerHost: string, project?: string): Promise<SwarmStackDriver> {
  const root = await mkdtemp(join(tmpdir(), 'railyard-swarm-'));
  const docker = createDocker(dockerHost);
  return {
    root,
    docker,
    async plan(text) {
      await writeFile(join(root, 'db.yml'), text);
      const config = await requireDb(join(root, 'db.yml'), {});
      const stack = await renderToDisk(config, RENDER_ENV, { root });
      return computeDiff(docker, desiredFromRender(stack, config, root), project === undefined ? {} : { project }, root);
    },
    apply: (result) => applyPlan(docker, result, { root, dockerHost, log: pino({ level: 'silent' }) }),
    close: () => rm(root, { recursive: true, force: true }),
  };
}
