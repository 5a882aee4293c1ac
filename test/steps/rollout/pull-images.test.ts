// Issue 4 acceptance: an image update pushed to the local registry under the
// same tag. `apply --pull` rolls it out; without `--pull`, nothing happens.
// Through the steps in-process, then through `railyard apply` itself.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { listContainers, type ServiceContainer } from '../../../runtime/containers.ts';
import { diff, rollout } from '../../../steps/index.ts';
import { pullImages } from '../../../steps/rollout/pull-images.ts';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../../helpers/docker.ts';
import { registryImage } from './registry-image.ts';
import { stackRoot } from './stack-root.ts';

const BIN = fileURLToPath(new URL('../../../bin/railyard.js', import.meta.url));

describe('apply --pull: a tag moved in the registry (real dockerd + registry)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const ids = { v1: '', v2: '' };
  const stack = stackRoot('ry-pull');
  const image = registryImage('ry-pull');

  const containers = (): Promise<ServiceContainer[]> => listContainers(docker, { project: stack.project });
  const actions = (plan: readonly { action: string }[]): string[] => plan.map((p) => p.action);

  before(async () => {
    ({ docker } = await requireDocker());
    await stack.prepare(docker);
    await Promise.all([TEST_IMAGES.web, TEST_IMAGES.web2].map((ref) => ensureImage(docker, ref)));
    ids.v1 = (await docker.getImage(TEST_IMAGES.web).inspect()).Id;
    ids.v2 = (await docker.getImage(TEST_IMAGES.web2).inspect()).Id;
    await image.push(TEST_IMAGES.web);
    stack.writeDb(`projects:\n  - name: ${stack.project}\n    services:\n      - host: web\n        image: ${image.ref}\n        stateless: true\n`);
  });
  after(async () => {
    await stack.down();
    await image.remove();
  });

  it('deploys the tag as the registry has it', async () => {
    const results = await stack.deploy(docker);
    assert.deepEqual(actions(results.get(diff).plan), ['create']);
    const now = await containers();
    assert.deepEqual(now.map((c) => [c.service, c.state, c.imageId]), [[`${stack.project}-web`, 'running', ids.v1]]);
  });

  it('without --pull: a new image under the same tag in the registry changes nothing', async () => {
    const pushed = await image.push(TEST_IMAGES.web2);
    await image.tagLocal(TEST_IMAGES.web); // the host still has the old image under the tag
    assert.equal(await image.remoteDigest(), pushed, 'the registry serves the new image under the tag');
    const before = await containers();
    const results = await stack.deploy(docker);
    assert.deepEqual(results.get(pullImages).images, {});
    assert.deepEqual(actions(results.get(diff).plan), ['unchanged']);
    assert.deepEqual(results.get(rollout).services, []);
    assert.deepEqual((await containers()).map((c) => [c.id, c.imageId]), before.map((c) => [c.id, ids.v1]));
  });

  it('with --pull: pulls the moved tag and rolls it out', async () => {
    const before = await containers();
    const results = await stack.deploy(docker, { pull: true });
    assert.deepEqual(results.get(pullImages).images, { [image.ref]: ids.v2 });
    const [entry] = results.get(diff).plan;
    assert.equal(entry?.action, 'rollout');
    assert.match(entry.reason, /image .* moved to/);
    assert.deepEqual(results.get(rollout).services.map((s) => [s.action, s.ok]), [['rollout', true]]);
    const now = await containers();
    assert.deepEqual(now.map((c) => [c.state, c.imageId]), [['running', ids.v2]]);
    assert.ok(!before.some((c) => c.id === now[0]!.id), 'a new container replaced the old one');
    assert.match(await page(docker, now[0]!.id), /^railyard-test-web version=2 /);
  });

  it('a second apply --pull changes nothing', async () => {
    const before = await containers();
    const results = await stack.deploy(docker, { pull: true });
    assert.deepEqual(actions(results.get(diff).plan), ['unchanged']);
    assert.deepEqual((await containers()).map((c) => c.id), before.map((c) => c.id));
  });

  it('`railyard apply` leaves a moved tag alone; `railyard apply --pull` rolls it out', async () => {
    await image.push(TEST_IMAGES.web); // the tag moves again, back to web:1's content
    await image.tagLocal(TEST_IMAGES.web2);
    const before = await containers();

    const plain = await cli(stack.root, ['apply', stack.project]);
    assert.equal(plain.exitCode, 0, plain.stderr);
    assert.deepEqual((await containers()).map((c) => [c.id, c.imageId]), before.map((c) => [c.id, ids.v2]));

    const pulled = await cli(stack.root, ['apply', stack.project, '--pull', '--json']);
    assert.equal(pulled.exitCode, 0, pulled.stderr);
    const runs = (JSON.parse(pulled.stdout) as { runs: { status: string }[] }).runs;
    assert.deepEqual(runs.map((r) => r.status), ['succeeded']);
    const now = await containers();
    assert.deepEqual(now.map((c) => [c.state, c.imageId]), [['running', ids.v1]]);
    assert.ok(!before.some((c) => c.id === now[0]!.id));
  });
});

function cli(root: string, args: readonly string[]) {
  return execa('node', [BIN, '--root', root, ...args], { reject: false, env: { LOG_LEVEL: 'warn' } });
}

/** The test page of a container, fetched on its IP. */
async function page(docker: Docker, id: string): Promise<string> {
  const info = await docker.getContainer(id).inspect();
  const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress;
  assert.ok(ip, `container ${id} has no IP`);
  const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(2000) });
  return res.text();
}
