// Issue 4 acceptance: a stateful change recreates, container_name forces a
// recreate (and the plan says why), a disabled project is taken down while
// its named volumes and folder stay.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../../helpers/docker.ts';
import { listContainers } from '../../../runtime/containers.ts';
import { computeDiff } from '../../../steps/diff/index.ts';
import { applyPlan } from '../../../steps/rollout/index.ts';
import { silent, testStack } from './stack.ts';

describe('recreate and remove (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const stack = testStack('ry-recreate');
  const volume = `${stack.project.name}_data`;
  const specs = (hash: string) => ({
    db: { image: TEST_IMAGES.sleeper, hash, extra: { volumes: ['data:/data'] } },
    fixed: { image: TEST_IMAGES.sleeper, hash, stateless: true, extra: { container_name: `${stack.project.name}-fixed` } },
  });

  /** Sets the desired state and writes it with the top-level named volume. */
  const write = (hash: string): void => {
    const desired = stack.set(specs(hash));
    stack.project.write(Object.fromEntries(desired.services.map((s) => [s.service, s.definition])), { volumes: { data: {} } });
  };

  before(async () => {
    ({ docker } = await requireDocker());
    await ensureImage(docker, TEST_IMAGES.sleeper);
  });
  after(() => stack.project.down());

  it('recreates a changed stateful service and one with container_name, saying why', async () => {
    write('a');
    await stack.apply(docker);
    const before = await listContainers(docker, { project: stack.project.name });
    write('b');
    const plan = await stack.plan(docker);
    assert.deepEqual(plan.plan.map((p) => [p.service, p.action]), [['db', 'recreate'], ['fixed', 'recreate']]);
    assert.match(plan.plan[1]!.reason, /container_name/);
    const result = await applyPlan(docker, plan, { root: stack.project.dir, log: silent });
    assert.ok(result.services.every((s) => s.ok));
    const now = await listContainers(docker, { project: stack.project.name });
    assert.deepEqual(now.map((c) => c.configHash), ['b', 'b']);
    assert.ok(now.every((c) => !before.some((b) => b.id === c.id)));
  });

  it('takes a disabled project down, keeping its named volume and folder', async () => {
    const plan = await computeDiff(docker, [], { project: stack.project.name }, stack.project.dir);
    assert.deepEqual(plan.plan.map((p) => p.action), ['remove', 'remove']);
    const result = await applyPlan(docker, plan, { root: stack.project.dir, log: silent });
    assert.ok(result.services.every((s) => s.ok));
    assert.deepEqual(await listContainers(docker, { project: stack.project.name }), []);
    assert.ok((await docker.getVolume(volume).inspect()).Name === volume);
    assert.ok(existsSync(stack.project.file));
  });
});
