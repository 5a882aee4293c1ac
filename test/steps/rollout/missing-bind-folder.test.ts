// Issue 12 item 3 "Needless recreates": a service whose bind-mount source did
// not exist gets it created by Docker (an empty root-owned folder). The second
// deploy with no config change must leave it alone, whatever kind of mount
// (writable folder, read-only folder, a path that looks like a file).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import type Docker from 'dockerode';
import { listContainers } from '../../../runtime/containers.ts';
import { diff, render, validate } from '../../../steps/index.ts';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../../helpers/docker.ts';
import { runSteps } from './run-steps.ts';
import { stackRoot } from './stack-root.ts';

describe('bind-mount sources Docker created on the first deploy (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const stack = stackRoot('ry-bind');

  before(async () => {
    ({ docker } = await requireDocker());
    await stack.prepare(docker);
    await ensureImage(docker, TEST_IMAGES.web);
    stack.writeDb(
      `projects:\n  - name: ${stack.project}\n    services:\n` +
        `      - host: db\n        image: ${TEST_IMAGES.web}\n        volumes:\n          - ./data:/data\n` +
        `      - host: ro\n        image: ${TEST_IMAGES.web}\n        volumes:\n          - ./conf:/conf:ro\n          - ./settings.yml:/settings.yml:ro\n`,
    );
  });
  after(() => stack.down());

  it('a second deploy with no change recreates nothing, and plan shows nothing', async () => {
    assert.equal(existsSync(stack.projectPath('data')), false);
    await stack.deploy(docker);
    for (const made of ['data', 'conf', 'settings.yml']) assert.ok(statSync(stack.projectPath(made)).isDirectory(), `Docker created ${made}/`);
    const first = new Map((await listContainers(docker, { project: stack.project })).map((c) => [c.service, c.id]));
    const planned = await runSteps([validate, render, diff], { env: stack.env(), docker, project: stack.project });
    assert.deepEqual(planned.get(diff).plan.map((p) => [p.service, p.action]), [[`${stack.project}-db`, 'unchanged'], [`${stack.project}-ro`, 'unchanged']]);
    const second = await stack.deploy(docker);
    assert.deepEqual(second.get(diff).plan.map((p) => p.action), ['unchanged', 'unchanged']);
    const after = new Map((await listContainers(docker, { project: stack.project })).map((c) => [c.service, c.id]));
    assert.deepEqual(after, first, 'the same containers keep running');
  });
});
