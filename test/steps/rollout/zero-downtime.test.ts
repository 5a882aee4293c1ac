// Issue 4 acceptance on a real engine: no-op second apply, a zero-downtime
// rollout watched by a 50 ms probe, rollback of an unhealthy image, and
// convergence of a rollout cut off half way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../../helpers/docker.ts';
import { composeUp } from '../../../runtime/compose.ts';
import { listContainers } from '../../../runtime/containers.ts';
import { isRailyardError } from '../../../core/errors.ts';
import { testStack, type TestSpec } from './stack.ts';

const web = (hash: string, extra: Partial<TestSpec> = {}): Record<string, TestSpec> => ({
  web: { image: TEST_IMAGES.web, hash, stateless: true, replicas: 2, ...extra },
});

/** Every 50 ms: list the service's containers and GET each running, healthy one on its IP. */
function startProbe(docker: Docker, project: string, service: string) {
  const counts: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const list = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] } });
      const healthy = list.filter((c) => c.State === 'running' && c.Status.includes('(healthy)'));
      const served = await Promise.all(
        healthy.map(async (c) => {
          const ip = Object.values(c.NetworkSettings.Networks)[0]?.IPAddress;
          if (!ip) return false;
          const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
          // A container listed healthy just before its stop may end the body early: not served, not a crash of the probe.
          return res?.status === 200 && (await res.text().catch(() => '')).startsWith('railyard-test-web');
        }),
      );
      counts.push(served.filter(Boolean).length);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { counts, stop: async () => ((running = false), await loop) };
}

describe('rollout (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const stack = testStack('ry-rollout');

  before(async () => {
    ({ docker } = await requireDocker());
    await Promise.all([TEST_IMAGES.web, TEST_IMAGES.unhealthy].map((i) => ensureImage(docker, i)));
  });
  after(() => stack.project.down());

  it('creates everything first, then a second apply is a no-op with the same container IDs', async () => {
    const first = await stack.apply(docker, web('v1', { extra: { environment: { VERSION: 'one' } } }));
    assert.deepEqual(first.services.map((s) => [s.action, s.ok]), [['create', true]]);
    const ids = (await listContainers(docker, { project: stack.project.name })).map((c) => c.id).sort();
    assert.equal(ids.length, 2);
    const plan = await stack.plan(docker);
    assert.deepEqual(plan.plan.map((p) => p.action), ['unchanged']);
    const second = await stack.apply(docker);
    assert.deepEqual(second.services, []);
    assert.deepEqual((await listContainers(docker, { project: stack.project.name })).map((c) => c.id).sort(), ids);
  });

  it('rolls out an env change without ever dropping below 2 healthy serving containers', async () => {
    await waitHealthy(docker, stack.project.name, 2);
    const plan = await stack.plan(docker, web('v2', { extra: { environment: { VERSION: 'two' } } }));
    assert.equal(plan.plan[0]?.action, 'rollout');
    assert.match(plan.diffs[`${stack.project.name}/web`] ?? '', /^\+ +VERSION: two$/m);
    const probe = startProbe(docker, stack.project.name, 'web');
    const result = await stack.apply(docker);
    const counts = (await probe.stop(), probe.counts);
    assert.deepEqual(result.services.map((s) => [s.action, s.ok]), [['rollout', true]]);
    assert.ok(counts.length > 10, `probe ran ${counts.length} times`);
    assert.ok(Math.min(...counts) >= 2, `probe saw ${Math.min(...counts)} healthy serving containers`);
    const after = await listContainers(docker, { project: stack.project.name });
    assert.deepEqual(after.map((c) => [c.configHash, c.state]), [['v2', 'running'], ['v2', 'running']]);
  });

  it('rolls back an image whose healthcheck fails: ROLLOUT_UNHEALTHY with logs, old containers untouched', async () => {
    const before = (await listContainers(docker, { project: stack.project.name })).map((c) => c.id).sort();
    const result = await stack.apply(docker, web('v3', { image: TEST_IMAGES.unhealthy }));
    const [outcome] = result.services;
    assert.equal(outcome?.ok, false);
    assert.ok(isRailyardError(outcome.error, 'ROLLOUT_UNHEALTHY'));
    const logs = (outcome.error.data as { logs: string[] }).logs;
    assert.ok(Array.isArray(logs) && logs.length <= 20);
    const now = await listContainers(docker, { project: stack.project.name });
    assert.deepEqual(now.map((c) => c.id).sort(), before);
    assert.ok(now.every((c) => c.configHash === 'v2' && c.state === 'running'));
  });

  it('fails a rollout whose new containers cannot start with COMPOSE_FAILED: they are removed, the old keep serving', async () => {
    const before = (await listContainers(docker, { project: stack.project.name })).map((c) => c.id).sort();
    // The engine creates the container, then its start fails: the program is not in the image.
    const result = await stack.apply(docker, web('v3b', { extra: { entrypoint: ['/no/such/program'] } }));
    const [outcome] = result.services;
    assert.equal(outcome?.ok, false);
    assert.ok(isRailyardError(outcome.error, 'COMPOSE_FAILED'), String(outcome.error));
    assert.match(outcome.error.message, /web: a new container could not start \(.*no such file or directory.*\); the new containers were removed, the old ones keep serving/);
    const now = await listContainers(docker, { project: stack.project.name });
    assert.deepEqual(now.map((c) => c.id).sort(), before);
    assert.ok(now.every((c) => c.configHash === 'v2' && c.state === 'running' && c.health === 'healthy'));
  });

  it('converges four containers left by a cut-off rollout to two with the new hash', async () => {
    stack.set(web('v4', { extra: { environment: { VERSION: 'four' } } }));
    await composeUp({ project: stack.project.name, file: stack.project.file }, { services: ['web'], noRecreate: true, scale: { web: 4 } });
    assert.equal((await listContainers(docker, { project: stack.project.name })).length, 4);
    const plan = await stack.plan(docker);
    assert.equal(plan.plan[0]?.action, 'rollout');
    const result = await stack.apply(docker);
    assert.deepEqual(result.services.map((s) => s.ok), [true]);
    const after = await listContainers(docker, { project: stack.project.name });
    assert.deepEqual(after.map((c) => c.configHash), ['v4', 'v4']);
  });
});

async function waitHealthy(docker: Docker, project: string, n: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const list = await listContainers(docker, { project });
    if (list.filter((c) => c.health === 'healthy').length >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('containers never turned healthy');
}
