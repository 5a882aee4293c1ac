// The runtime suite's core cases against a real Podman service (issue 16):
// Debian's podman 4.3 serving the Docker API on /run/podman/podman.sock
// (scripts/test-host.sh starts it), deployed through the real steps
// (validate → render → diff → rollout) with DOCKER_HOST pointing at it.
// No systemd timer runs Podman's healthchecks here, so these cases also show
// railyard running them itself (runtime/podman-health.ts). Cases: create; a
// no-change apply; a rollout probed every 50 ms without a failed request; the
// unhealthy rollback; prune of a disabled project.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { isRailyardError } from '../../core/errors.ts';
import { listContainers } from '../../runtime/containers.ts';
import { isPodman } from '../../runtime/podman-health.ts';
import { dockerClient, ensureImage, TEST_IMAGES } from '../helpers/docker.ts';
import { stackRoot } from '../steps/rollout/stack-root.ts';
import type { StepResults } from '../steps/rollout/run-steps.ts';
import { rollout } from '../../steps/index.ts';

const SOCKET = '/run/podman/podman.sock';
const PODMAN_HOST = `unix://${SOCKET}`;
const required = ['1', 'true'].includes(process.env['REQUIRE_PODMAN'] ?? '');
const options = existsSync(SOCKET) || required ? {} : { skip: `no Podman service at ${SOCKET} (scripts/test-host.sh starts one; REQUIRE_PODMAN=1 makes this a failure)` };

const WGET = '["CMD", "/bin/wget", "-q", "-O-", "http://127.0.0.1:8080/"]';
const db = (project: string, image: string, version: string, enabled = true, check = WGET): string =>
  `projects:\n  - name: ${project}\n    enabled: ${enabled}\n    services:\n      - host: web\n        image: ${image}\n        stateless: true\n        replicas: 2\n` +
  `        env:\n          VERSION: "${version}"\n        healthcheck:\n          test: ${check}\n          interval: 500ms\n          timeout: 1s\n          retries: 2\n`;

describe('runtime on Podman', options, () => {
  const stack = stackRoot('ry-podman', PODMAN_HOST);
  let docker: Docker;
  const containers = () => listContainers(docker, { project: stack.project });

  before(async () => {
    docker = dockerClient(PODMAN_HOST).docker;
    assert.ok(await isPodman(docker), `${SOCKET} is not a Podman engine`);
    await Promise.all([TEST_IMAGES.web, TEST_IMAGES.unhealthy].map((i) => ensureImage(docker, i)));
    await stack.prepare(docker);
  });
  after(() => stack.down());

  it('creates the service, then a second apply changes nothing', async () => {
    stack.writeDb(db(stack.project, TEST_IMAGES.web, 'one'));
    const first = await stack.deploy(docker);
    assert.deepEqual(planActions(first), [['create', true]]);
    const ids = (await containers()).map((c) => c.id).sort();
    assert.equal(ids.length, 2);
    const second = await stack.deploy(docker);
    assert.deepEqual(planActions(second), []);
    assert.deepEqual((await containers()).map((c) => c.id).sort(), ids);
  });

  it('rolls out a change while a 50 ms probe of the healthy containers never fails', async () => {
    stack.writeDb(db(stack.project, TEST_IMAGES.web, 'two'));
    const probe = startProbe(docker, stack.project);
    const started = Date.now();
    const result = await stack.deploy(docker);
    const seen = await probe.stop();
    assert.deepEqual(planActions(result), [['rollout', true]]);
    // Healthy within a few 500 ms intervals, never the full derived timeout.
    assert.ok(Date.now() - started < 20_000, `rollout took ${Date.now() - started} ms`);
    assert.ok(seen.requests > 20, `probe sent ${seen.requests} requests`);
    assert.deepEqual(seen.failures, [], 'failed requests during the rollout');
    assert.deepEqual((await containers()).map((c) => [c.state]), [['running'], ['running']]);
  });

  it('rolls back a service whose healthcheck fails: ROLLOUT_UNHEALTHY, the old containers keep serving', async () => {
    const before = (await containers()).map((c) => c.id).sort();
    stack.writeDb(db(stack.project, TEST_IMAGES.web, 'three', true, '["CMD", "/bin/false"]'));
    await assert.rejects(stack.deploy(docker), (error) => isRailyardError(error, 'ROLLOUT_UNHEALTHY'));
    const now = await containers();
    assert.deepEqual(now.map((c) => c.id).sort(), before);
    assert.ok(now.every((c) => c.state === 'running'));
  });

  it('takes a disabled project down (prune)', async () => {
    stack.writeDb(db(stack.project, TEST_IMAGES.web, 'two', false));
    await stack.deploy(docker);
    assert.deepEqual(await containers(), []);
  });
});

/** What the rollout step did: [action, ok] per changed service. */
function planActions(results: StepResults): [string, boolean][] {
  return results.get(rollout).services.map((s) => [s.action, s.ok]);
}

/** Every 50 ms: GET each running container the engine reports healthy, on its IP; a failed GET is recorded. */
function startProbe(docker: Docker, project: string) {
  const failures: string[] = [];
  let requests = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const list = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
      for (const c of list.filter((x) => x.State === 'running')) {
        const info = await docker.getContainer(c.Id).inspect().catch(() => undefined);
        if (info?.State.Health?.Status !== 'healthy') continue;
        const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress;
        requests++;
        const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(1000) }).catch((e: Error) => e);
        if (res instanceof Error || res.status !== 200) failures.push(`${c.Id.slice(0, 12)}: ${res instanceof Error ? res.message : res.status}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { stop: async () => ((running = false), await loop, { requests, failures }) };
}
