// `railyard apply` (a sync with meta.all) names the projects whose plan has
// work from one stack-wide diff, instead of a deploy run for every project.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import Docker from 'dockerode';
import { listContainers } from '../../runtime/containers.ts';
import { drift, render, validate } from '../../steps/index.ts';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../helpers/docker.ts';
import { runSteps } from './rollout/run-steps.ts';
import { stackRoot } from './rollout/stack-root.ts';

describe('drift: one stack-wide diff after a sync (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const stack = stackRoot('ry-drift');
  const driftOf = async (meta: Record<string, unknown>) =>
    (await runSteps([validate, render, drift], { env: stack.env(), docker, project: '*', meta })).get(drift).projects;

  before(async () => {
    ({ docker } = await requireDocker());
    await stack.prepare(docker);
    await ensureImage(docker, TEST_IMAGES.sleeper);
    stack.writeDb(`projects:\n  - name: ${stack.project}\n    services:\n      - host: worker\n        image: ${TEST_IMAGES.sleeper}\n`);
  });
  after(() => stack.down());

  it('is not computed for a push (no `all`): rendered hashes decide', async () => {
    assert.equal(await driftOf({}), undefined);
  });

  it('names a project that is not deployed yet', async () => {
    assert.ok((await driftOf({ all: true }))?.includes(stack.project));
  });

  it('leaves out a deployed project that matches the host', async () => {
    await stack.deploy(docker);
    const projects = await driftOf({ all: true });
    assert.ok(projects !== undefined && !projects.includes(stack.project), JSON.stringify(projects));
  });

  it('names the project again when its container was removed by hand', async () => {
    const [container] = await listContainers(docker, { project: stack.project });
    assert.ok(container);
    await docker.getContainer(container.id).remove({ force: true });
    assert.ok((await driftOf({ all: true }))?.includes(stack.project));
  });
});

describe('drift without Docker', () => {
  it('falls back (undefined) so every project gets a deploy run that reports DOCKER_UNREACHABLE itself', async () => {
    const stack = stackRoot('ry-drift-nodocker');
    mkdirSync(stack.root);
    try {
      stack.writeDb('projects:\n  - name: app\n    services:\n      - host: web\n        image: nginx\n');
      const unreachable = new Docker({ socketPath: '/nonexistent/docker.sock' });
      const results = await runSteps([validate, render, drift], { env: stack.env(), docker: unreachable, project: '*', meta: { all: true } });
      assert.equal(results.get(drift).projects, undefined);
    } finally {
      rmSync(stack.root, { recursive: true, force: true });
    }
  });
});
