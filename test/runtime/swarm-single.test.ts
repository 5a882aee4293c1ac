// runtime: swarm on a real single-node swarm (its own dockerd in a network
// namespace: the shared engine is never put in swarm mode). Render, plan,
// deploy, follow UpdateStatus, a rollback reported as a failure, a no-change
// apply without writes, and a removed project taken down with its data kept.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiffResult } from '../../steps/diff/index.ts';
import { TEST_IMAGES } from '../helpers/docker.ts';
import { swarmStackDriver, type SwarmStackDriver } from '../helpers/swarm-stack.ts';
import { canStartSwarm, fetchTasks, startSwarm, type TestSwarm } from '../helpers/swarm-engine.ts';


function db(image: string, enabled = true): string {
  return `runtime: swarm
projects:
  - name: shop
    enabled: ${enabled}
    services:
      - host: web
        image: ${image}
        stateless: true
        replicas: 2
        ingress:
          - domain: shop.example.com
            port: 8080
      - host: store
        image: ${TEST_IMAGES.sleeper}
        command: ["sleep", "3600"]
        volumes: [/data]
`;
}

describe('runtime: swarm on a single-node swarm', { skip: process.getuid?.() !== 0 ? 'needs root' : false, timeout: 240_000 }, () => {
  let swarm: TestSwarm;
  let root: string;
  let docker: SwarmStackDriver['docker'];
  let driver: SwarmStackDriver;

  before(async () => {
    assert.ok(await canStartSwarm(), 'dockerd, ip, nsenter, runc and iptables are needed (scripts/test-host.sh)');
    swarm = await startSwarm(1);
    await swarm.loadImages([TEST_IMAGES.web, TEST_IMAGES.web2, TEST_IMAGES.unhealthy, TEST_IMAGES.sleeper]);
    driver = await swarmStackDriver(swarm.manager.dockerHost, 'shop');
    docker = driver.docker;
    root = driver.root;
  });
  after(async () => {
    await swarm?.destroy();
    await driver?.close();
  });

  const plan = (text: string) => driver.plan(text);
  const apply = (result: DiffResult) => driver.apply(result);
  const pages = () => fetchTasks(swarm.manager, 'proxynet', 'shop_shop-web', 8080, TEST_IMAGES.sleeper);

  it('creates the stack; every replica serves', async () => {
    const result = await plan(db(TEST_IMAGES.web));
    assert.deepEqual(result.plan.map((p) => [p.service, p.action, p.reason]), [
      ['shop-web', 'create', 'no swarm service yet'],
      ['shop-store', 'create', 'no swarm service yet'],
    ]);
    const outcome = await apply(result);
    assert.deepEqual(outcome.services.map((s) => [s.service, s.ok, s.error?.message]), [['shop-web', true, undefined], ['shop-store', true, undefined]]);
    const served = await pages();
    assert.equal(served.length, 2, served.join('\n'));
    assert.ok(served.every((p) => p.includes('version=1')), served.join('\n'));
    const spec = (await docker.getService('shop_shop-store').inspect()) as { Spec: { TaskTemplate: { Placement?: { Constraints?: string[] } } } };
    assert.deepEqual(spec.Spec.TaskTemplate.Placement?.Constraints, ['node.role == manager'], 'stateful with a bind mount: pinned');
  });

  it('a second plan is unchanged, and its apply writes nothing', async () => {
    const result = await plan(db(TEST_IMAGES.web));
    assert.equal(result.changes, 0, JSON.stringify(result.plan.map((p) => [p.service, p.action, p.reason])));
    assert.match(result.plan[0]!.reason, /config hash matches; 2\/2 running/);
    const before = ((await docker.getService('shop_shop-web').inspect()) as { Version: { Index: number } }).Version.Index;
    assert.deepEqual((await apply(result)).services, []);
    const afterIndex = ((await docker.getService('shop_shop-web').inspect()) as { Version: { Index: number } }).Version.Index;
    assert.equal(afterIndex, before);
  });

  it('an image change is an update with a diff, followed to UpdateStatus completed', async () => {
    const result = await plan(db(TEST_IMAGES.web2));
    assert.deepEqual(result.plan.map((p) => [p.service, p.action, p.reason]), [['shop-web', 'update', 'config changed'], ['shop-store', 'unchanged', 'config hash matches; 1/1 running']]);
    assert.match(result.diffs['shop/shop-web'] ?? '', /^-.*web:1$/m);
    assert.match(result.diffs['shop/shop-web'] ?? '', /^\+.*web:2$/m);
    const outcome = await apply(result);
    assert.deepEqual(outcome.services.map((s) => [s.service, s.ok]), [['shop-web', true]]);
    const status = ((await docker.getService('shop_shop-web').inspect()) as { UpdateStatus?: { State: string } }).UpdateStatus?.State;
    assert.equal(status, 'completed');
    const served = await pages();
    assert.ok(served.length === 2 && served.every((p) => p.includes('version=2')), served.join('\n'));
  });

  it('an unhealthy image is rolled back by Swarm and the run fails with ROLLOUT_ROLLED_BACK', async () => {
    const result = await plan(db(TEST_IMAGES.unhealthy));
    const outcome = await apply(result);
    const web = outcome.services.find((s) => s.service === 'shop-web')!;
    assert.equal(web.ok, false);
    assert.equal(web.error?.code, 'ROLLOUT_ROLLED_BACK');
    assert.match(web.error!.message, /rolled the update back/);
    const data = web.error!.data as { taskErrors: string[]; updateStatus: { state: string } };
    assert.equal(data.updateStatus.state, 'rollback_completed');
    assert.ok(data.taskErrors.length > 0, 'the failed tasks are named');
    const spec = (await docker.getService('shop_shop-web').inspect()) as { Spec: { TaskTemplate: { ContainerSpec: { Image: string } } } };
    assert.match(spec.Spec.TaskTemplate.ContainerSpec.Image, /web:2/);
    const served = await pages();
    assert.ok(served.length === 2 && served.every((p) => p.includes('version=2')), served.join('\n'));
    const again = await plan(db(TEST_IMAGES.unhealthy));
    assert.match(again.plan[0]!.reason, /config changed, last update rollback completed/);
  });

  it('a disabled project is taken down with stack rm; its data folder stays', async () => {
    await writeFile(join(root, 'upstream/shop/data/keep'), 'x');
    const result = await plan(db(TEST_IMAGES.web2, false));
    assert.deepEqual(result.plan.map((p) => [p.service, p.action, p.reason]).sort(), [
      ['shop-store', 'remove', 'project disabled or removed'],
      ['shop-web', 'remove', 'project disabled or removed'],
    ]);
    const outcome = await apply(result);
    assert.ok(outcome.services.every((s) => s.ok), JSON.stringify(outcome.services));
    assert.deepEqual(await docker.listServices({ filters: { label: ['railyard.project'] } }), []);
    assert.ok(existsSync(join(root, 'upstream/shop/data/keep')));
  });
});
