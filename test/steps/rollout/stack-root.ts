// A temp stack root with one db.yml project, deployed through the real steps
// (validate → render → [pull-images] → diff → rollout) in-process. `down()`
// removes the project's containers and network and the folder.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { loadEnv, type Env } from '../../../config/env.ts';
import type { Step } from '../../../pipeline/types.ts';
import { PROXY_NETWORK } from '../../../runtime/network.ts';
import { diff, render, rollout, validate } from '../../../steps/index.ts';
import { pullImages } from '../../../steps/rollout/pull-images.ts';
import { uniqueName } from '../../helpers/compose-project.ts';
import { runSteps, type StepResults } from './run-steps.ts';

export interface StackRoot {
  readonly root: string;
  /** db.yml project name (lowercase, so also the compose project name). */
  readonly project: string;
  /** Path of a file inside `upstream/<project>/`. */
  projectPath(...parts: string[]): string;
  writeDb(text: string): void;
  /** The environment a fresh run reads (loaded again, as each run does). */
  env(): Env;
  /** One deploy of the project: validate → render → (pull-images with `pull`) → diff → rollout. */
  deploy(docker: Docker, options?: { pull?: boolean }): Promise<StepResults>;
  /**
   * Creates the root (not before: a skipped suite leaves nothing behind) and
   * notes whether the shared proxy network exists, so down() removes only what the test made.
   */
  prepare(docker: Docker): Promise<void>;
  down(): Promise<void>;
}

/** The deploy pipeline's steps after `pull` (git), which needs no REPO_URL here. */
export const DEPLOY_STEPS: readonly Step[] = [validate, render, pullImages, diff, rollout];

/** `dockerHost`: the engine to deploy to (Podman's socket, say). @default DOCKER_HOST */
export function stackRoot(prefix: string, dockerHost = process.env['DOCKER_HOST']): StackRoot {
  const project = uniqueName(prefix);
  const root = join(tmpdir(), project); // unique: the name holds the pid and random bytes
  let proxynetExisted = true;
  const stack: StackRoot = {
    root,
    project,
    projectPath: (...parts) => join(root, 'upstream', project, ...parts),
    writeDb: (text) => writeFileSync(join(root, 'db.yml'), text),
    env: () => loadEnv({ root, environ: dockerHost === undefined ? {} : { DOCKER_HOST: dockerHost } }),
    deploy: (docker, options = {}) =>
      runSteps(DEPLOY_STEPS, { env: stack.env(), docker, project, ...(options.pull === true && { meta: { pull: true } }) }),
    async prepare(docker) {
      mkdirSync(root);
      proxynetExisted = (await docker.listNetworks({ filters: { name: [PROXY_NETWORK] } })).some((n) => n.Name === PROXY_NETWORK);
    },
    async down() {
      const env = dockerHost === undefined ? {} : { env: { DOCKER_HOST: dockerHost } };
      await execa('docker', ['compose', '-p', project, 'down', '-v', '-t', '1', '--remove-orphans'], { reject: false, cwd: root, ...env });
      // rollout creates the shared network; remove it only when this test did (and nothing uses it).
      if (!proxynetExisted) await execa('docker', ['network', 'rm', PROXY_NETWORK], { reject: false, ...env });
      rmSync(root, { recursive: true, force: true });
    },
  };
  return stack;
}
